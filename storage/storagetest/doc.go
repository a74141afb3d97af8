// Package storagetest starts a private, real redis-server for each test.
//
// Tests never share a server: each gets its own process on a unix socket in t.TempDir(), so tests
// can run in parallel with no ports, no FLUSHDB and no database numbers. Production code never
// imports this package.
package storagetest
