// Labels with non-ASCII text: V8 counts columns in UTF-16 code units.
const título = 'Relatório 📊';
const währung = '€';
const 𝑘 = 2; // a letter outside the Basic Multilingual Plane
const label = '🚀🚀'; const run = () => spawn(() => `${título} ${währung} ${𝑘 * 3} ${label}`);
module.exports = { run };
