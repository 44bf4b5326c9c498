// The workload of the node fixtures (tests/foreign/make_fixtures.sh).
function fib(n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }
function main() { let s = 0; for (let i = 0; i < 5; i++) s += fib(24); return s; }
console.log(main());
