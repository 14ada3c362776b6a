/** A decoded picture: 8-bit RGB, row-major, 3 bytes per pixel (`data.length === width * height * 3`). */
export interface RgbImage {
  width: number;
  height: number;
  data: Uint8Array;
}
