import { correctMerchantRecord } from '../../domain/merchant-correction.js';
import { type MerchantRecord, parseMerchantRecord } from '../../domain/merchant-record.js';
import type { ReceiptRef } from '../../domain/receipt-ref.js';
import { InvalidValueError } from '../../errors/invalid-value-error.js';
import type { MerchantRecordRepository } from '../../ports/merchant-record-repository.js';
import { contractTime, sampleMetadata } from './contract-fixtures.js';
import { contractIds } from './contract-ids.js';
import type { ContractOptions, ContractTestApi } from './contract-test-api.js';

export interface MerchantRecordRepositoryContractSubject {
  readonly merchants: MerchantRecordRepository;
  /**
   * The part of a record the store keeps, for a store whose format holds fewer fields (the legacy
   * RECEIPT_METADATA); by default all of it.
   */
  readonly keeps?: (record: MerchantRecord) => MerchantRecord;
}

// Lists are sets to a store (a string set has no order).
function comparable(record: MerchantRecord | undefined): unknown {
  return (
    record && {
      ...record,
      matchedFields: [...record.matchedFields].sort(),
      merchantTypes: [...record.merchantTypes].sort(),
      hoursSummary: [...record.hoursSummary].sort(),
      photoReferences: [...record.photoReferences].sort(),
    }
  );
}

/** What every MerchantRecordRepository must do, whatever stores the records. */
export function merchantRecordRepositoryContract(
  api: ContractTestApi,
  name: string,
  makeSubject: () => Promise<MerchantRecordRepositoryContractSubject>,
  options: ContractOptions = {},
): void {
  const { describe, it, expect } = api;
  const ids = contractIds(`merchant:${name}`, options.idSeed);
  const newReceipt = (): ReceiptRef => ({ imageId: ids.uuid(), receiptId: 1 });
  const at = contractTime(30);
  const subject = async () => {
    const made = await makeSubject();
    const keeps = made.keeps ?? ((record: MerchantRecord) => record);
    // A record with only what the store keeps, as it reads back.
    return { merchants: made.merchants, sample: (receipt: ReceiptRef) => keeps(sampleMetadata(receipt)) };
  };

  describe(`MerchantRecordRepository contract: ${name}`, () => {
    it('reads a missing record as undefined', async () => {
      const { merchants } = await subject();
      expect(await merchants.getMerchantRecord(newReceipt())).toBeUndefined();
    });

    it('adds and reads back a record with every field it keeps', async () => {
      const { merchants, sample } = await subject();
      const record = sample(newReceipt());
      expect(await merchants.addMerchantRecord(record)).toBe(true);
      expect(comparable(await merchants.getMerchantRecord(record))).toEqual(comparable(record));
    });

    it('keeps absent fields absent: no place, no lists, an empty status, confidence 0', async () => {
      const { merchants } = await subject();
      const record = parseMerchantRecord({
        ...newReceipt(),
        placeId: '',
        merchantName: 'Corner Shop',
        timestamp: '2026-11-29T12:00:00-07:00',
      });
      await merchants.addMerchantRecord(record);
      const read = await merchants.getMerchantRecord(record);
      expect(read).toEqual(record);
      expect(Object.keys(read ?? {}).sort()).toEqual(Object.keys(record).sort());
    });

    it('never overwrites an existing record when adding', async () => {
      const { merchants, sample } = await subject();
      const record = sample(newReceipt());
      await merchants.addMerchantRecord(record);
      expect(await merchants.addMerchantRecord({ ...record, merchantName: 'Someone Else' })).toBe(false);
      expect(comparable(await merchants.getMerchantRecord(record))).toEqual(comparable(record));
    });

    it('applies an update while the stored record is the one read, and returns it', async () => {
      const { merchants, sample } = await subject();
      const read = sample(newReceipt());
      await merchants.addMerchantRecord(read);
      const next = {
        ...read,
        phoneNumber: '+1 555 0199',
        reasoning: 'receipt prints another phone',
        timestamp: at,
      };

      const result = await merchants.updateMerchantRecord(read, next);
      expect(result.applied).toBe(true);
      expect(comparable(result.applied ? result.record : undefined)).toEqual(comparable(next));
      expect(comparable(await merchants.getMerchantRecord(read))).toEqual(comparable(next));
    });

    it('stores a correction to another business with the place-derived fields cleared', async () => {
      const { merchants, sample } = await subject();
      const read = sample(newReceipt());
      await merchants.addMerchantRecord(read);
      const corrected = correctMerchantRecord(
        read,
        { merchantName: 'Corner Bakery', address: '9 Elm Road' },
        { at, reasoning: 'the receipt prints another store' },
      );
      const result = await merchants.updateMerchantRecord(read, corrected);
      expect(result.applied).toBe(true);
      expect(comparable(await merchants.getMerchantRecord(read))).toEqual(comparable(corrected));
    });

    it('refuses an update when the record changed since it was read, returning the current one', async () => {
      const { merchants, sample } = await subject();
      const read = sample(newReceipt());
      await merchants.addMerchantRecord(read);
      const meanwhile = await merchants.updateMerchantRecord(read, {
        ...read,
        merchantCategory: 'bakery',
        timestamp: contractTime(20),
      });
      const current = meanwhile.applied ? meanwhile.record : undefined;

      const result = await merchants.updateMerchantRecord(read, { ...read, merchantName: 'Late Coffee' });
      expect(result.applied).toBe(false);
      expect(comparable(result.applied ? undefined : result.current)).toEqual(comparable(current));
      expect(comparable(await merchants.getMerchantRecord(read))).toEqual(comparable(current));
    });

    it('refuses an update of a missing record without creating it', async () => {
      const { merchants, sample } = await subject();
      const read = sample(newReceipt());
      const result = await merchants.updateMerchantRecord(read, { ...read, merchantName: 'Ghost Cafe' });
      expect(result.applied).toBe(false);
      expect(result.applied ? 'applied' : result.current).toBeUndefined();
      expect(await merchants.getMerchantRecord(read)).toBeUndefined();
    });

    it('refuses an update that changes nothing or moves the record to another receipt', async () => {
      const { merchants, sample } = await subject();
      const read = sample(newReceipt());
      await merchants.addMerchantRecord(read);
      await expect(merchants.updateMerchantRecord(read, { ...read })).rejects.toBeInstanceOf(
        InvalidValueError,
      );
      await expect(
        merchants.updateMerchantRecord(read, { ...read, receiptId: 2, merchantName: 'Elsewhere' }),
      ).rejects.toBeInstanceOf(InvalidValueError);
      expect(comparable(await merchants.getMerchantRecord(read))).toEqual(comparable(read));
    });

    it('keeps the records of other receipts apart', async () => {
      const { merchants, sample } = await subject();
      const read = sample(newReceipt());
      const neighbour = { ...read, receiptId: 10, merchantName: 'Next Door Deli' };
      await merchants.addMerchantRecord(read);
      await merchants.addMerchantRecord(neighbour);
      await merchants.updateMerchantRecord(read, { ...read, merchantName: 'Contract Coffee Roasters' });
      expect(comparable(await merchants.getMerchantRecord(neighbour))).toEqual(comparable(neighbour));
    });
  });
}
