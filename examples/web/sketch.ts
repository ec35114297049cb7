// The drawing pad: strokes on a large canvas become an 8×8 image with values 0–16,
// made the way the digits data set was made (UCI optdigits): the digit is scaled to
// fill a 32×32 box (keeping its aspect ratio), then each 4×4 block counts its inked
// pixels.

export class SketchPad {
  private drawing = false;
  private last: { x: number; y: number } | undefined;
  private readonly context: CanvasRenderingContext2D;
  private readonly listeners: (() => void)[] = [];

  constructor(readonly canvas: HTMLCanvasElement) {
    this.context = canvas.getContext('2d', { willReadFrequently: true })!;
    this.clear();
    canvas.addEventListener('pointerdown', (e) => {
      canvas.setPointerCapture(e.pointerId);
      this.drawing = true;
      this.last = this.point(e);
      this.stroke(this.last);
    });
    canvas.addEventListener('pointermove', (e) => {
      if (!this.drawing) return;
      this.stroke(this.point(e));
    });
    const end = () => {
      if (!this.drawing) return;
      this.drawing = false;
      this.last = undefined;
      this.changed();
    };
    canvas.addEventListener('pointerup', end);
    canvas.addEventListener('pointercancel', end);
  }

  /** Called after every stroke and on clear. */
  onChange(listener: () => void): void {
    this.listeners.push(listener);
  }

  clear(): void {
    this.context.fillStyle = '#fff';
    this.context.fillRect(0, 0, this.canvas.width, this.canvas.height);
    this.changed();
  }

  get isEmpty(): boolean {
    return this.inkBox() === undefined;
  }

  /** The drawing as 64 values 0–16, row by row, like a row of digits.csv. */
  pixels(): number[] {
    const box = this.inkBox();
    if (!box) return new Array<number>(64).fill(0);
    const grid = document.createElement('canvas');
    grid.width = grid.height = 32;
    const g = grid.getContext('2d', { willReadFrequently: true })!;
    g.fillStyle = '#fff';
    g.fillRect(0, 0, 32, 32);
    const side = Math.max(box.w, box.h);
    const w = (box.w / side) * 32;
    const h = (box.h / side) * 32;
    g.imageSmoothingQuality = 'high';
    g.drawImage(this.canvas, box.x, box.y, box.w, box.h, (32 - w) / 2, (32 - h) / 2, w, h);
    const data = g.getImageData(0, 0, 32, 32).data;
    const out = new Array<number>(64).fill(0);
    for (let py = 0; py < 32; py++) {
      for (let px = 0; px < 32; px++) {
        if (data[(py * 32 + px) * 4]! < 128) out[(py >> 2) * 8 + (px >> 2)]! += 1;
      }
    }
    return out;
  }

  private changed(): void {
    for (const listener of this.listeners) listener();
  }

  private point(e: PointerEvent): { x: number; y: number } {
    const rect = this.canvas.getBoundingClientRect();
    return { x: ((e.clientX - rect.left) / rect.width) * this.canvas.width, y: ((e.clientY - rect.top) / rect.height) * this.canvas.height };
  }

  private stroke(to: { x: number; y: number }): void {
    const c = this.context;
    const from = this.last ?? to;
    c.strokeStyle = '#111827';
    c.lineWidth = this.canvas.width / 13;
    c.lineCap = 'round';
    c.lineJoin = 'round';
    c.beginPath();
    c.moveTo(from.x, from.y);
    c.lineTo(to.x, to.y);
    c.stroke();
    this.last = to;
  }

  /** The bounding box of the ink, or undefined for a blank pad. */
  private inkBox(): { x: number; y: number; w: number; h: number } | undefined {
    const { width, height } = this.canvas;
    const data = this.context.getImageData(0, 0, width, height).data;
    let x0 = width, y0 = height, x1 = -1, y1 = -1;
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        if (data[(y * width + x) * 4]! < 128) {
          if (x < x0) x0 = x;
          if (x > x1) x1 = x;
          if (y < y0) y0 = y;
          if (y > y1) y1 = y;
        }
      }
    }
    return x1 < 0 ? undefined : { x: x0, y: y0, w: x1 - x0 + 1, h: y1 - y0 + 1 };
  }
}
