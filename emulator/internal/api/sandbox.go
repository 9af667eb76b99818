package api

import (
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// Sandbox runs fn and then undoes it: every object fn stored through the
// Call is put back as it was (or removed if fn created it), meta written
// through c.SetMeta and c.DeleteMeta is restored, and the events and
// Later work fn queued are dropped. It is create_preview's rollback for
// work that cannot roll back its transaction (time-driven work inside a
// test clock's advance): the real rules run, nothing they did remains.
// Queued Later work is flushed first. Sandboxes do not nest.
func (c *Call) Sandbox(fn func() error) error {
	if c.journal != nil {
		panic("api: nested Sandbox")
	}
	if err := c.Flush(); err != nil {
		return err
	}
	j := &journal{seen: map[string]bool{}}
	c.journal = j
	nEvents, nAfter := len(c.events), len(c.after)
	stored := c.stored.clone()
	now, account := c.Now, c.Account
	err := fn()
	c.journal = nil
	c.later = nil
	c.events, c.after = c.events[:nEvents], c.after[:nAfter]
	c.Now, c.Account = now, account
	if uerr := j.undo(c.Tx); uerr != nil {
		return uerr
	}
	c.stored = stored
	return err
}

type journal struct {
	seen    map[string]bool
	entries []journaled // first write of each key, in order
}

type journaled struct {
	meta             bool
	account, typ, id string // an object's key
	name             string // a meta key
	prev             string
	existed          bool
}

func (j *journal) noteObj(tx *store.Tx, account string, o store.Obj) {
	typ, _ := o["object"].(string)
	id, _ := o["id"].(string)
	key := "o:" + account + ":" + typ + ":" + id
	if j.seen[key] {
		return
	}
	j.seen[key] = true
	prev, existed := tx.GetRaw(account, typ, id)
	j.entries = append(j.entries, journaled{account: account, typ: typ, id: id, prev: prev, existed: existed})
}

func (j *journal) noteMeta(tx *store.Tx, name string) {
	key := "m:" + name
	if j.seen[key] {
		return
	}
	j.seen[key] = true
	prev, existed := tx.GetMeta(name)
	j.entries = append(j.entries, journaled{meta: true, name: name, prev: prev, existed: existed})
}

func (j *journal) undo(tx *store.Tx) error {
	for i := len(j.entries) - 1; i >= 0; i-- {
		e := j.entries[i]
		var err error
		switch {
		case e.meta && e.existed:
			err = tx.SetMeta(e.name, e.prev)
		case e.meta:
			tx.DeleteMeta(e.name)
		case e.existed:
			err = tx.PutRaw(e.account, e.typ, e.id, []byte(e.prev), nil)
		default:
			err = tx.Delete(e.account, e.typ, e.id)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// SetMeta sets emulator metadata in the transaction (Tx.SetMeta) so that
// a Sandbox can undo it.
func (c *Call) SetMeta(name, value string) error {
	if c.journal != nil {
		c.journal.noteMeta(c.Tx, name)
	}
	return c.Tx.SetMeta(name, value)
}

// SetMetaJSON sets emulator metadata to v as JSON, as SetMeta does.
func (c *Call) SetMetaJSON(name string, v any) error {
	if c.journal != nil {
		c.journal.noteMeta(c.Tx, name)
	}
	return c.Tx.SetMetaJSON(name, v)
}

// DeleteMeta removes emulator metadata (Tx.DeleteMeta) so that a Sandbox
// can undo it.
func (c *Call) DeleteMeta(name string) {
	if c.journal != nil {
		c.journal.noteMeta(c.Tx, name)
	}
	c.Tx.DeleteMeta(name)
}
