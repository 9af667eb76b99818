package api

import "github.com/stripe-emu/stripe-emu/emulator/internal/store"

// Background runs fn as work that time caused rather than a request
// (settlements, renewals, expiries): one write transaction in account, its
// events carrying no request id, published after commit.
func (e *Env) Background(account string, fn func(c *Call) error) error {
	_, err := e.background(account, nil, fn, nil)
	return err
}

// background is Background that also tells which objects of the tracked
// types fn wrote, and hands them to then, if not nil, still inside the
// transaction once everything fn did is stored (then only reads).
func (e *Env) background(account string, track []string, fn func(c *Call) error, then func(tx *store.Tx, written []store.Ref)) ([]store.Ref, error) {
	c := &Call{Env: e, Account: account, Connected: account != e.Platform, APIVersion: APIVersion}
	var written []store.Ref
	err := e.Store.Update(func(tx *store.Tx) error {
		c.Tx = tx
		c.Now = e.Clock.Unix()
		c.events = c.events[:0]
		c.stored.reset()
		c.later, c.after = nil, nil
		if len(track) > 0 {
			tx.Track(track...)
		}
		if err := fn(c); err != nil {
			return err
		}
		if err := c.Flush(); err != nil {
			return err
		}
		written = tx.TakeWritten()
		if then != nil && len(written) > 0 {
			tx.Settle()
			then(tx, written)
			tx.Unsettle()
		}
		return c.commitEvents()
	})
	if err != nil {
		return nil, err
	}
	c.runAfterCommit()
	e.Events.publish(c.committed())
	return written, nil
}

// Accounts lists every account namespace: the platform first, then each
// connected account. Background work walks them all.
func (e *Env) Accounts() []string {
	out := []string{e.Platform}
	_ = e.Store.View(func(tx *store.Tx) error {
		tx.Each(e.Platform, "account", func(o store.Obj) bool {
			if id := Str(o["id"]); id != e.Platform {
				out = append(out, id)
			}
			return true
		})
		return nil
	})
	return out
}
