// GPT-2's byte-level BPE alphabet, shared by the CLIP tokenizer (image-gen) and Whisper's
// tokenizer (subtitles): every byte has a printable character, so token strings are plain text.

/** GPT-2's reversible byte → printable-character table (`bytes_to_unicode`), indexed by byte. */
export function byteEncoder(): string[] {
  const printable: number[] = [];
  for (let b = 0x21; b <= 0x7e; b++) printable.push(b);
  for (let b = 0xa1; b <= 0xac; b++) printable.push(b);
  for (let b = 0xae; b <= 0xff; b++) printable.push(b);
  const table: string[] = new Array<string>(256);
  let extra = 0;
  for (let b = 0; b < 256; b++) table[b] = String.fromCodePoint(printable.includes(b) ? b : 256 + extra++);
  return table;
}

/** The inverse of {@link byteEncoder}: printable character → byte. */
export function byteDecoder(): Map<string, number> {
  return new Map(byteEncoder().map((char, byte) => [char, byte]));
}
