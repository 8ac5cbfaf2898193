// Returns the buffer it receives, marked so that tinypool transfers it back.
import { Tinypool } from 'tinypool';

export default function echoMove(buffer) {
  return Tinypool.move(buffer);
}
