// Returns the buffer it receives, marked so that piscina transfers it back.
import { move } from 'piscina';

export default function echoMove(buffer) {
  return move(buffer);
}
