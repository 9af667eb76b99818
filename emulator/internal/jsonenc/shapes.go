package jsonenc

import (
	"strings"
	"sync"
	"sync/atomic"
)

// Stripe objects of one type have the same fields every time, so the
// sorted key order of the map found at one place in a document (an
// invoice's status_transitions, say) is almost always the order seen
// there last time. A shape remembers it: encoding a map of a known shape
// looks its fields up in that order instead of collecting and sorting
// them. A place whose keys keep changing (metadata) is marked irregular
// and sorted every time, as before.
type shape struct {
	order    atomic.Pointer[keyOrder]
	children sync.Map // field name → *shape (maps, and arrays' elements)
	typed    sync.Map // "object" value → *shape, for polymorphic places
	hits     atomic.Int64
	misses   atomic.Int64
}

// keyOrder is a map's keys sorted, each also pre-encoded as a JSON string.
type keyOrder struct {
	keys   []string
	quoted []string
}

// root is where every document's shapes start.
var root = &shape{}

// maxShapes bounds how many places are remembered, so documents with
// user-chosen keys holding maps cannot grow the tree without end; places
// beyond it are sorted as before.
const maxShapes = 1 << 16

var shapeCount atomic.Int64

func newShape() *shape {
	if shapeCount.Add(1) > maxShapes {
		return nil
	}
	return &shape{}
}

// elements names the shape of an array's elements under the array's.
const elements = "[]"

// irregular reports whether this place's keys change too often to
// bother remembering them.
func (s *shape) irregular() bool {
	m := s.misses.Load()
	return m > 16 && m*4 > s.hits.Load()
}

// hit counts an encoding that found the remembered keys. Hits matter only
// against misses, so a place that never missed skips the shared write
// every encoder on every core would otherwise make.
func (s *shape) hit() {
	if s.misses.Load() > 0 {
		s.hits.Add(1)
	}
}

func (s *shape) child(name string) *shape { return lookupOrAdd(&s.children, name) }

// forObject is the shape of a map with this "object" type at this place:
// the same field can hold different objects (an event's data.object).
func (s *shape) forObject(typ string) *shape { return lookupOrAdd(&s.typed, typ) }

// lookupOrAdd finds the shape under key in m, adding one if there is
// none and the bound allows.
func lookupOrAdd(m *sync.Map, key string) *shape {
	if c, ok := m.Load(key); ok {
		return c.(*shape)
	}
	n := newShape()
	if n == nil {
		return nil
	}
	c, _ := m.LoadOrStore(key, n)
	return c.(*shape)
}

// remember records the sorted keys just encoded at this place.
func (s *shape) remember(fs []field) {
	ord := &keyOrder{keys: make([]string, len(fs)), quoted: make([]string, len(fs))}
	for i, f := range fs {
		// A decoded key is a slice of its whole document; a copy keeps the
		// order from holding the document in memory.
		ord.keys[i] = strings.Clone(f.key)
		ord.quoted[i] = string(appendString(nil, f.key))
	}
	s.order.Store(ord)
}

// of is the shape to use for map m found at s: by m's object type where
// it has one, and none where keys are irregular. Nil stays nil.
func (s *shape) of(m map[string]any) *shape {
	if s == nil {
		return nil
	}
	if typ, ok := m["object"].(string); ok {
		if s = s.forObject(typ); s == nil {
			return nil
		}
	}
	if s.irregular() {
		return nil
	}
	return s
}

// candidate returns the remembered order if m has as many keys; whether
// they are the same keys shows while encoding (see appendKnown).
func (s *shape) candidate(m map[string]any) *keyOrder {
	if s == nil {
		return nil
	}
	ord := s.order.Load()
	if ord == nil || len(ord.keys) != len(m) {
		if ord != nil {
			s.misses.Add(1)
		}
		return nil
	}
	return ord
}
