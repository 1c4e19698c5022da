/** A manifest that is wrong as a whole (no entries, wrong format): the message names the file. */
export class DataFormatError extends Error {
  readonly file: string;

  constructor(file: string, message: string) {
    super(`${file}: ${message}`);
    this.name = 'DataFormatError';
    this.file = file;
  }
}
