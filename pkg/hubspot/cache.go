package hubspot

import (
	"container/list"
	"sync"
	"time"
)

// Bounds of the token cache. HubSpot advises caching a visitor's token
// across page loads, as long as it is refreshed at least every 12 hours;
// the function reuses one for CacheTTL at most, so that the app is always
// given at least TokenLifetime - CacheTTL (11 hours) of it.
const (
	// CacheTTL is how long after it was asked for a token is reused.
	CacheTTL = time.Hour
	// CacheSize is how many tokens one function instance keeps, at most.
	CacheSize = 1000
	// maxCachedBytes bounds one cached entry (the email, the names and the
	// token); a larger one is not kept. With CacheSize, a cache holds at
	// most 4 MB of them.
	maxCachedBytes = 4 << 10
)

// cache keeps the tokens an instance obtained, by exactly what HubSpot was
// sent (email, first and last name): a token is only ever reused for the
// very identity it was issued for, so one user can never be given
// another's. It holds at most max entries, each for ttl after it was asked
// for; when full, the oldest goes first. Failures are never kept. It is
// safe for concurrent use.
type cache struct {
	max int
	ttl time.Duration

	mu      sync.Mutex
	entries map[request]*list.Element // of *entry
	order   *list.List                // newest first
}

type entry struct {
	key    request
	token  string
	issued time.Time
}

func newCache(max int, ttl time.Duration) *cache {
	return &cache{max: max, ttl: ttl, entries: map[request]*list.Element{}, order: list.New()}
}

// fresh reports whether e may still be given out at now. A clock that
// went back before e was issued makes it stale too.
func (c *cache) fresh(e *entry, now time.Time) bool {
	age := now.Sub(e.issued)
	return age >= 0 && age < c.ttl
}

// get returns the token kept for key and when it was asked for, if it is
// fresh at now; a stale one is dropped.
func (c *cache) get(key request, now time.Time) (token string, issued time.Time, ok bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, found := c.entries[key]
	if !found {
		return "", time.Time{}, false
	}
	e := el.Value.(*entry)
	if !c.fresh(e, now) {
		c.remove(el)
		return "", time.Time{}, false
	}
	return e.token, e.issued, true
}

// put keeps token for key, asked for at issued, in place of any token kept
// for key. It first drops the entries at the old end that are older than
// ttl, then, when the cache is full, the oldest.
func (c *cache) put(key request, token string, issued time.Time) {
	if len(key.Email)+len(key.FirstName)+len(key.LastName)+len(token) > maxCachedBytes {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, found := c.entries[key]; found {
		c.remove(el)
	}
	for el := c.order.Back(); el != nil && issued.Sub(el.Value.(*entry).issued) >= c.ttl; el = c.order.Back() {
		c.remove(el)
	}
	for c.order.Len() >= c.max {
		c.remove(c.order.Back())
	}
	c.entries[key] = c.order.PushFront(&entry{key: key, token: token, issued: issued})
}

func (c *cache) remove(el *list.Element) {
	delete(c.entries, el.Value.(*entry).key)
	c.order.Remove(el)
}

// len returns the number of entries kept.
func (c *cache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.order.Len()
}
