import type { AttributeValue } from '@aws-sdk/client-dynamodb';

/**
 * Placeholders for the names and values of one request's expressions: every attribute name goes through a
 * `#n` placeholder, so no reserved word (`timestamp`, `text`...) can break an expression.
 */
export class ExpressionAttributes {
  readonly #names = new Map<string, string>();
  readonly #values: Record<string, AttributeValue> = {};
  #valueCount = 0;

  name(attribute: string): string {
    let placeholder = this.#names.get(attribute);
    if (placeholder === undefined) {
      placeholder = `#n${this.#names.size}`;
      this.#names.set(attribute, placeholder);
    }
    return placeholder;
  }

  value(value: AttributeValue): string {
    const placeholder = `:v${this.#valueCount++}`;
    this.#values[placeholder] = value;
    return placeholder;
  }

  /** The maps for the request; values are left out when there are none, as DynamoDB refuses an empty map. */
  get input(): {
    ExpressionAttributeNames: Record<string, string>;
    ExpressionAttributeValues?: Record<string, AttributeValue>;
  } {
    const names = Object.fromEntries(
      [...this.#names].map(([attribute, placeholder]) => [placeholder, attribute]),
    );
    return this.#valueCount === 0
      ? { ExpressionAttributeNames: names }
      : { ExpressionAttributeNames: names, ExpressionAttributeValues: { ...this.#values } };
  }
}

/** A projection of `attributes`, with its name placeholders. */
export function projection(attributes: readonly string[]): {
  ProjectionExpression: string;
  ExpressionAttributeNames: Record<string, string>;
} {
  const expression = new ExpressionAttributes();
  const projected = attributes.map((attribute) => expression.name(attribute)).join(', ');
  return {
    ProjectionExpression: projected,
    ExpressionAttributeNames: expression.input.ExpressionAttributeNames,
  };
}
