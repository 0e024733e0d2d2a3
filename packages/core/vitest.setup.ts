import fc from 'fast-check';

// Every property runs at least 200 times; the seed is printed so any run can be replayed with FC_SEED.
const seed = process.env.FC_SEED ? Number(process.env.FC_SEED) : Math.floor(Math.random() * 2 ** 31);
const numRuns = process.env.FC_NUM_RUNS ? Number(process.env.FC_NUM_RUNS) : 200;
fc.configureGlobal({ seed, numRuns });
console.info(`fast-check seed=${seed} numRuns=${numRuns} (replay: FC_SEED=${seed})`);
