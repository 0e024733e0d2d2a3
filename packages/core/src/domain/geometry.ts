import { InvalidValueError } from '../errors/invalid-value-error.js';
import { describeValue } from './ids.js';

export interface Point {
  readonly x: number;
  readonly y: number;
}

export interface BoundingBox extends Point {
  readonly width: number;
  readonly height: number;
}

/** Where the OCR found a line or a word, as the existing services store it. */
export interface TextGeometry {
  readonly boundingBox: BoundingBox;
  readonly topLeft: Point;
  readonly topRight: Point;
  readonly bottomLeft: Point;
  readonly bottomRight: Point;
  readonly angleDegrees: number;
  readonly angleRadians: number;
  /** In (0, 1]. */
  readonly confidence: number;
}

export function parseFinite(field: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new InvalidValueError(field, `expected a finite number, got ${describeValue(value)}`);
  }
  return value;
}

function parsePoint(field: string, value: unknown): Point {
  const point = (value ?? {}) as Partial<Record<keyof Point, unknown>>;
  return { x: parseFinite(`${field}.x`, point.x), y: parseFinite(`${field}.y`, point.y) };
}

export function parseGeometry(entity: string, input: { [K in keyof TextGeometry]?: unknown }): TextGeometry {
  const box = (input.boundingBox ?? {}) as Partial<Record<keyof BoundingBox, unknown>>;
  const confidence = parseFinite(`${entity}.confidence`, input.confidence);
  if (confidence <= 0 || confidence > 1) {
    throw new InvalidValueError(`${entity}.confidence`, `expected a number in (0, 1], got ${confidence}`);
  }
  return {
    boundingBox: {
      x: parseFinite(`${entity}.bounding_box.x`, box.x),
      y: parseFinite(`${entity}.bounding_box.y`, box.y),
      width: parseFinite(`${entity}.bounding_box.width`, box.width),
      height: parseFinite(`${entity}.bounding_box.height`, box.height),
    },
    topLeft: parsePoint(`${entity}.top_left`, input.topLeft),
    topRight: parsePoint(`${entity}.top_right`, input.topRight),
    bottomLeft: parsePoint(`${entity}.bottom_left`, input.bottomLeft),
    bottomRight: parsePoint(`${entity}.bottom_right`, input.bottomRight),
    angleDegrees: parseFinite(`${entity}.angle_degrees`, input.angleDegrees),
    angleRadians: parseFinite(`${entity}.angle_radians`, input.angleRadians),
    confidence,
  };
}
