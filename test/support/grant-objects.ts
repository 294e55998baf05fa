/**
 * A bucket grant as an application's value object might be: a frozen class
 * instance whose `access` is a getter over a private field, which
 * `Object.freeze` does not stop from changing (outside review, issue 12).
 */
export class ValueBucketGrant {
  readonly bucket: string;
  #access: 'read' | 'write' = 'read';

  constructor(bucket: string) {
    this.bucket = bucket;
    Object.freeze(this);
  }

  get access(): 'read' | 'write' {
    return this.#access;
  }

  /** Changes the frozen grant's access to write. */
  promote(): void {
    this.#access = 'write';
  }
}
