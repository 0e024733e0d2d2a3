export {
  type StoreOutcome,
  type StoreReceiptVersionDeps,
  type StoreReceiptVersionRequest,
  type StoreReceiptVersionResult,
  storeReceiptVersion,
} from './store-receipt-version.js';
