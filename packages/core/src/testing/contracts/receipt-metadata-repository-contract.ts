import { parseReceiptMetadata, type ReceiptMetadata } from '../../domain/receipt-metadata.js';
import type { ReceiptRef } from '../../domain/receipt-ref.js';
import { InvalidValueError } from '../../errors/invalid-value-error.js';
import type { ReceiptMetadataRepository } from '../../ports/receipt-metadata-repository.js';
import { contractTime, sampleMetadata } from './contract-fixtures.js';
import { contractIds } from './contract-ids.js';
import type { ContractOptions, ContractTestApi } from './contract-test-api.js';

export interface ReceiptMetadataRepositoryContractSubject {
  readonly metadata: ReceiptMetadataRepository;
}

// matched_fields is a string set, which has no order.
function comparable(metadata: ReceiptMetadata | undefined): unknown {
  return metadata && { ...metadata, matchedFields: [...metadata.matchedFields].sort() };
}

/** What every ReceiptMetadataRepository must do, whatever stores the metadata. */
export function receiptMetadataRepositoryContract(
  api: ContractTestApi,
  name: string,
  makeSubject: () => Promise<ReceiptMetadataRepositoryContractSubject>,
  options: ContractOptions = {},
): void {
  const { describe, it, expect } = api;
  const ids = contractIds(`metadata:${name}`, options.idSeed);
  const newReceipt = (): ReceiptRef => ({ imageId: ids.uuid(), receiptId: 1 });
  const at = contractTime(30);

  describe(`ReceiptMetadataRepository contract: ${name}`, () => {
    it('reads missing metadata as undefined', async () => {
      const { metadata } = await makeSubject();
      expect(await metadata.getMetadata(newReceipt())).toBeUndefined();
    });

    it('round-trips metadata with every field set', async () => {
      const { metadata } = await makeSubject();
      const saved = sampleMetadata(newReceipt());
      await metadata.saveMetadata(saved);
      expect(comparable(await metadata.getMetadata(saved))).toEqual(comparable(saved));
    });

    it('keeps absent optional fields absent (an empty place id and no matched fields included)', async () => {
      const { metadata } = await makeSubject();
      const saved = parseReceiptMetadata({
        ...newReceipt(),
        placeId: '',
        merchantName: 'Corner Shop',
        matchedFields: [],
        timestamp: '2026-11-29T12:00:00+00:00',
      });
      await metadata.saveMetadata(saved);
      const read = await metadata.getMetadata(saved);
      expect(read).toEqual(saved);
      expect(Object.keys(read ?? {}).sort()).toEqual(Object.keys(saved).sort());
    });

    it('applies an update whose changed fields still hold the values read, and sets the timestamp', async () => {
      const { metadata } = await makeSubject();
      const read = sampleMetadata(newReceipt());
      await metadata.saveMetadata(read);
      const changes = { merchantName: 'Contract Coffee Roasters', phoneNumber: '+1 555 0199' };
      const updated = { ...read, ...changes, timestamp: at };

      const result = await metadata.updateMetadata(read, changes, at);
      expect(result.applied).toBe(true);
      expect(comparable(result.applied ? result.metadata : undefined)).toEqual(comparable(updated));
      expect(comparable(await metadata.getMetadata(read))).toEqual(comparable(updated));
    });

    it('sets a field that was absent when the value read was absent too', async () => {
      const { metadata } = await makeSubject();
      const { merchantCategory: _, ...withoutCategory } = sampleMetadata(newReceipt());
      await metadata.saveMetadata(withoutCategory);
      const result = await metadata.updateMetadata(withoutCategory, { merchantCategory: 'bakery' }, at);
      expect(result.applied).toBe(true);
      expect((await metadata.getMetadata(withoutCategory))?.merchantCategory).toBe('bakery');
    });

    it('refuses an update when a changed field moved since it was read, returning the current item', async () => {
      const { metadata } = await makeSubject();
      const read = sampleMetadata(newReceipt());
      await metadata.saveMetadata(read);
      const meanwhile = await metadata.updateMetadata(
        read,
        { merchantName: 'Someone Else Coffee' },
        contractTime(20),
      );
      const current = meanwhile.applied ? meanwhile.metadata : undefined;

      const result = await metadata.updateMetadata(read, { merchantName: 'Contract Coffee Roasters' }, at);
      expect(result.applied).toBe(false);
      expect(comparable(result.applied ? undefined : result.current)).toEqual(comparable(current));
      expect(comparable(await metadata.getMetadata(read))).toEqual(comparable(current));
    });

    it('refuses to set a field that was absent when read but has been set meanwhile', async () => {
      const { metadata } = await makeSubject();
      const { phoneNumber: _, ...read } = sampleMetadata(newReceipt());
      await metadata.saveMetadata(read);
      await metadata.updateMetadata(read, { phoneNumber: '+1 555 0111' }, contractTime(20));
      const result = await metadata.updateMetadata(read, { phoneNumber: '+1 555 0122' }, at);
      expect(result.applied).toBe(false);
      expect((await metadata.getMetadata(read))?.phoneNumber).toBe('+1 555 0111');
    });

    it('applies an update over a concurrent change of another field and leaves unchanged fields as stored', async () => {
      const { metadata } = await makeSubject();
      const read = sampleMetadata(newReceipt());
      await metadata.saveMetadata(read);
      await metadata.updateMetadata(read, { address: '2 Meanwhile Avenue' }, contractTime(20));

      const result = await metadata.updateMetadata(read, { merchantName: 'Contract Coffee Roasters' }, at);
      const expected = {
        ...read,
        address: '2 Meanwhile Avenue',
        merchantName: 'Contract Coffee Roasters',
        timestamp: at,
      };
      expect(comparable(result.applied ? result.metadata : undefined)).toEqual(comparable(expected));
      expect(comparable(await metadata.getMetadata(read))).toEqual(comparable(expected));
    });

    it('refuses an update of missing metadata without creating it', async () => {
      const { metadata } = await makeSubject();
      const read = sampleMetadata(newReceipt());
      const result = await metadata.updateMetadata(read, { merchantName: 'Ghost Cafe' }, at);
      expect(result.applied).toBe(false);
      expect(result.applied ? 'applied' : result.current).toBeUndefined();
      expect(await metadata.getMetadata(read)).toBeUndefined();
    });

    it('refuses an update that changes nothing', async () => {
      const { metadata } = await makeSubject();
      const read = sampleMetadata(newReceipt());
      await metadata.saveMetadata(read);
      await expect(metadata.updateMetadata(read, {}, at)).rejects.toBeInstanceOf(InvalidValueError);
      expect(comparable(await metadata.getMetadata(read))).toEqual(comparable(read));
    });

    it('keeps the metadata of other receipts apart', async () => {
      const { metadata } = await makeSubject();
      const read = sampleMetadata(newReceipt());
      const neighbour = { ...read, receiptId: 10, merchantName: 'Next Door Deli' };
      await metadata.saveMetadata(read);
      await metadata.saveMetadata(neighbour);
      await metadata.updateMetadata(read, { merchantName: 'Contract Coffee Roasters' }, at);
      expect(comparable(await metadata.getMetadata(neighbour))).toEqual(comparable(neighbour));
    });
  });
}
