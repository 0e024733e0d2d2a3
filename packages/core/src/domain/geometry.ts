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

/**
 * Coordinates are normalised to the receipt, so they lie in [0, 1]. A box may stick out of the receipt's crop by a
 * little (a word on the edge of a skewed receipt), so this much is accepted beyond either end.
 */
export const GEOMETRY_TOLERANCE = 0.05;
const MAX_ANGLE_DEGREES = 360;
const MAX_ANGLE_RADIANS = 2 * Math.PI;

/**
 * How strictly geometry is checked: `new` for what we are asked to write (normalised coordinates, angles within a
 * turn), `stored` for what others wrote (any finite number reads).
 */
export type GeometryStrictness = 'new' | 'stored';

export function parseFinite(field: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new InvalidValueError(field, `expected a finite number, got ${describeValue(value)}`);
  }
  return value;
}

function parseInRange(field: string, value: unknown, min: number, max: number, strict: boolean): number {
  const number = parseFinite(field, value);
  if (strict && (number < min || number > max)) {
    throw new InvalidValueError(field, `expected a number in [${min}, ${max}], got ${number}`);
  }
  return number;
}

function objectOf(field: string, value: unknown, shape: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidValueError(field, `expected an object ${shape}, got ${describeValue(value)}`);
  }
  return value as Record<string, unknown>;
}

/** A normalised coordinate, within GEOMETRY_TOLERANCE of [0, 1]. */
const coordinate = (field: string, value: unknown, strict: boolean) =>
  parseInRange(field, value, -GEOMETRY_TOLERANCE, 1 + GEOMETRY_TOLERANCE, strict);
/** A normalised length: never negative. */
const extent = (field: string, value: unknown, strict: boolean) =>
  parseInRange(field, value, 0, 1 + GEOMETRY_TOLERANCE, strict);

function parsePoint(field: string, value: unknown, strict: boolean): Point {
  const point = objectOf(field, value, '{x, y}');
  return { x: coordinate(`${field}.x`, point.x, strict), y: coordinate(`${field}.y`, point.y, strict) };
}

export function parseGeometry(
  entity: string,
  input: { [K in keyof TextGeometry]?: unknown },
  strictness: GeometryStrictness = 'new',
): TextGeometry {
  const strict = strictness === 'new';
  const confidence = parseFinite(`${entity}.confidence`, input.confidence);
  if (confidence <= 0 || confidence > 1) {
    throw new InvalidValueError(`${entity}.confidence`, `expected a number in (0, 1], got ${confidence}`);
  }
  const box = objectOf(`${entity}.bounding_box`, input.boundingBox, '{x, y, width, height}');
  return {
    boundingBox: {
      x: coordinate(`${entity}.bounding_box.x`, box.x, strict),
      y: coordinate(`${entity}.bounding_box.y`, box.y, strict),
      width: extent(`${entity}.bounding_box.width`, box.width, strict),
      height: extent(`${entity}.bounding_box.height`, box.height, strict),
    },
    topLeft: parsePoint(`${entity}.top_left`, input.topLeft, strict),
    topRight: parsePoint(`${entity}.top_right`, input.topRight, strict),
    bottomLeft: parsePoint(`${entity}.bottom_left`, input.bottomLeft, strict),
    bottomRight: parsePoint(`${entity}.bottom_right`, input.bottomRight, strict),
    angleDegrees: parseInRange(
      `${entity}.angle_degrees`,
      input.angleDegrees,
      -MAX_ANGLE_DEGREES,
      MAX_ANGLE_DEGREES,
      strict,
    ),
    angleRadians: parseInRange(
      `${entity}.angle_radians`,
      input.angleRadians,
      -MAX_ANGLE_RADIANS,
      MAX_ANGLE_RADIANS,
      strict,
    ),
    confidence,
  };
}
