import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';

export type Image = Record<string, AttributeValue>;

/** The images of a stream record in the SDK's AttributeValue shape (Lambda delivers the same JSON). */
export function imagesOf(record: DynamoDBRecord): { type?: string; newImage?: Image; oldImage?: Image } {
  const newImage = record.dynamodb?.NewImage as Image | undefined;
  const oldImage = record.dynamodb?.OldImage as Image | undefined;
  const type = newImage?.TYPE?.S ?? oldImage?.TYPE?.S;
  return { ...(type && { type }), ...(newImage && { newImage }), ...(oldImage && { oldImage }) };
}
