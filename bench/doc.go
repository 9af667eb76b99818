// Package bench measures the emulator over real loopback HTTP: requests per
// second and allocations per request for the hot endpoints, at several
// store sizes. Run `make bench` for a table.
package bench
