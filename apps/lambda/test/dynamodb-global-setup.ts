export { default } from '@receipt-gate/local-runtime/vitest-global-setup';
