// Package ids makes Stripe-shaped object ids.
//
// Every id body starts with a fixed-width base62 sequence number, so ids of
// one kind sort lexically in creation order. The store relies on that: a
// list is a reverse walk over keys, with no separate "created" index.
package ids

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"time"
)

// The digits are in ASCII order, so base62 strings of equal width compare
// like the numbers they encode.
const alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

const seqWidth = 9 // 62^9 ≈ 1.3e16: microseconds since 1970 fit for centuries

// Generator hands out ids. It is safe for concurrent use.
type Generator struct {
	mu  sync.Mutex
	seq uint64
	rnd *rand.Rand
}

// New returns a generator whose sequence starts at the wall clock in
// microseconds, so ids made after a restart on a persisted store still sort
// after the old ones. seed drives the random tail (0: random).
func New(seed uint64) *Generator {
	if seed == 0 {
		seed = rand.Uint64()
	}
	return &Generator{
		seq: uint64(time.Now().UnixMicro()),
		rnd: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)),
	}
}

// Observe moves the sequence past an id already stored (for stores loaded
// from disk whose ids may run ahead of this machine's clock).
func (g *Generator) Observe(id string) {
	i := strings.IndexByte(id, '_')
	if i < 0 || len(id) < i+1+seqWidth {
		return
	}
	var n uint64
	for _, c := range id[i+1 : i+1+seqWidth] {
		d := strings.IndexRune(alphabet, c)
		if d < 0 {
			return
		}
		n = n*62 + uint64(d)
	}
	g.mu.Lock()
	if n > g.seq {
		g.seq = n
	}
	g.mu.Unlock()
}

// Sequence is the sequence number that begins an id's body (after its
// prefix, which ends at the last '_' before the body), as base62 digits
// of fixed width: compared as strings, the sequences of ids of any kinds
// tell which was made first. "" for an id not made here.
func Sequence(id string) string {
	i := strings.LastIndexByte(id, '_')
	if i < 0 || len(id) < i+1+seqWidth {
		return ""
	}
	return id[i+1 : i+1+seqWidth]
}

// Long makes ids like Stripe's newer objects (price_, pi_, ch_, in_, evt_…):
// 24 characters after the prefix.
func (g *Generator) Long(prefix string) string { return g.make(prefix, 24) }

// Short makes ids like Stripe's older objects (cus_, prod_): 14 characters.
func (g *Generator) Short(prefix string) string { return g.make(prefix, 14) }

// UUID makes a random (version 4) UUID, as the idempotency keys Stripe's
// own pages send.
func (g *Generator) UUID() string {
	var b [16]byte
	g.mu.Lock()
	for i := range b {
		b[i] = byte(g.rnd.IntN(256))
	}
	g.mu.Unlock()
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// Secret makes an opaque random token (client secrets, webhook secrets).
func (g *Generator) Secret(n int) string {
	b := make([]byte, n)
	g.mu.Lock()
	for i := range b {
		b[i] = alphabet[g.rnd.IntN(62)]
	}
	g.mu.Unlock()
	return string(b)
}

func (g *Generator) make(prefix string, width int) string {
	b := make([]byte, len(prefix)+width)
	copy(b, prefix)
	body := b[len(prefix):]
	g.mu.Lock()
	g.seq++
	n := g.seq
	for i := seqWidth - 1; i >= 0; i-- {
		body[i] = alphabet[n%62]
		n /= 62
	}
	for i := seqWidth; i < width; i++ {
		body[i] = alphabet[g.rnd.IntN(62)]
	}
	g.mu.Unlock()
	return string(b)
}
