/**
 * A growable buffer of rows in ClickHouse's `RowBinary` format, for bulk inserts from Node. `@clickhouse/client`
 * encodes only JSON formats itself; RowBinary needs no text formatting or parsing on either side (for a million
 * training labels that is seconds of JSON.stringify and JSON parsing), and the handful of types a label table
 * uses are a few lines each. Values go in column order, exactly as the insert's column list declares them.
 *
 * @example
 * const rows = new RowBinaryBuffer()
 * rows.uint64(0).dateTime64ms(Date.parse('2025-11-20T08:15:00Z')).string('car-0007')
 * if (rows.present(etaS)) rows.float64(etaS) // Nullable(Float64)
 * await client.exec({ query: 'INSERT INTO labels (row, ts, car, eta_s) FORMAT RowBinary', values: Readable.from([rows.take()]) })
 */
export class RowBinaryBuffer {
  private buffer: Buffer
  private offset = 0

  constructor(initialBytes = 1 << 20) {
    this.buffer = Buffer.allocUnsafe(initialBytes)
  }

  /** Bytes written since the last {@link take}. */
  get length(): number {
    return this.offset
  }

  /** UInt64 from a non-negative safe integer. */
  uint64(value: number): this {
    this.reserve(8)
    this.buffer.writeUInt32LE(value % 0x1_0000_0000, this.offset)
    this.buffer.writeUInt32LE(Math.floor(value / 0x1_0000_0000), this.offset + 4)
    this.offset += 8
    return this
  }

  /** DateTime64(3): epoch milliseconds as an Int64, from a safe integer (negative before 1970). */
  dateTime64ms(ms: number): this {
    this.reserve(8)
    const high = Math.floor(ms / 0x1_0000_0000)
    this.buffer.writeUInt32LE(ms - high * 0x1_0000_0000, this.offset)
    this.buffer.writeInt32LE(high, this.offset + 4)
    this.offset += 8
    return this
  }

  float64(value: number): this {
    this.reserve(8)
    this.buffer.writeDoubleLE(value, this.offset)
    this.offset += 8
    return this
  }

  bool(value: boolean): this {
    this.reserve(1)
    this.buffer[this.offset++] = value ? 1 : 0
    return this
  }

  /** String: LEB128 byte length, then the UTF-8 bytes. */
  string(value: string): this {
    // Up to 42 UTF-16 units are at most 126 UTF-8 bytes: a one-byte length, written after the bytes.
    if (value.length <= 42) {
      this.reserve(1 + 3 * value.length)
      const bytes = this.buffer.write(value, this.offset + 1, 'utf8')
      this.buffer[this.offset] = bytes
      this.offset += 1 + bytes
      return this
    }
    let bytes = Buffer.byteLength(value, 'utf8')
    this.reserve(5 + bytes)
    while (bytes >= 0x80) {
      this.buffer[this.offset++] = (bytes & 0x7f) | 0x80
      bytes >>>= 7
    }
    this.buffer[this.offset++] = bytes
    this.offset += this.buffer.write(value, this.offset, 'utf8')
    return this
  }

  /**
   * The null flag of a Nullable(T) value; true when the value itself must follow (it is neither null nor
   * undefined).
   */
  present<T>(value: T | null | undefined): value is T {
    this.reserve(1)
    const present = value !== null && value !== undefined
    this.buffer[this.offset++] = present ? 0 : 1
    return present
  }

  /** The bytes written so far (a copy), leaving the buffer empty for the next batch. */
  take(): Buffer {
    const out = Buffer.from(this.buffer.subarray(0, this.offset))
    this.offset = 0
    return out
  }

  private reserve(bytes: number): void {
    if (this.offset + bytes <= this.buffer.length) return
    const grown = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, this.offset + bytes))
    this.buffer.copy(grown, 0, 0, this.offset)
    this.buffer = grown
  }
}
