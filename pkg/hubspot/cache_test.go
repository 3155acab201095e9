package hubspot

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vendortokens/vendor-token-functions/pkg/identity"
)

// mintOK mints for id and fails t unless it gets a Response.
func mintOK(t *testing.T, m *Minter, id identity.Identity) Response {
	t.Helper()
	got, err := m.Mint(t.Context(), id)
	if err != nil {
		t.Fatalf("Mint(%s): %v", id.UserID, err)
	}
	return got.(Response)
}

// TestMintCachesPerIdentity: a token is reused for exactly the email and
// name it was issued for, and for no one else, with its own expires_at.
func TestMintCachesPerIdentity(t *testing.T) {
	up := newHubspotAPI(t)
	c := &clock{now: start}
	m, logs := testMinter(t, up.srv.URL, time.Second, &fakeCreds{values: original}, c)

	a1 := mintOK(t, m, ada)
	c.advance(10 * time.Minute)
	g1 := mintOK(t, m, grace)
	c.advance(10 * time.Minute)
	a2, g2 := mintOK(t, m, ada), mintOK(t, m, grace)

	if a1 != a2 || g1 != g2 {
		t.Errorf("a user's second token differs: %+v then %+v, %+v then %+v", a1, a2, g1, g2)
	}
	if a1.Token == g1.Token || !strings.Contains(a1.Token, ada.Email) || !strings.Contains(g1.Token, grace.Email) {
		t.Errorf("tokens %q and %q: each user must get the token issued for their own email", a1.Token, g1.Token)
	}
	if a1.ExpiresAt != start.Add(TokenLifetime).Unix() || g1.ExpiresAt != start.Add(10*time.Minute+TokenLifetime).Unix() {
		t.Errorf("expires_at %d and %d: each is when its token was asked for, plus 12 hours", a1.ExpiresAt, g1.ExpiresAt)
	}
	if n := up.calls.Load(); n != 2 {
		t.Errorf("HubSpot was called %d times, want 2: once per user", n)
	}
	assertNoSecrets(t, logs.String())

	// The same email with another name, or spelled otherwise, is another
	// identity: HubSpot is asked again.
	renamed := ada
	renamed.Name = "Augusta Ada King"
	upper := ada
	upper.Email = strings.ToUpper(ada.Email)
	for _, id := range []identity.Identity{renamed, upper} {
		if got := mintOK(t, m, id); got.Token == a1.Token {
			t.Errorf("%+v was given Ada's token", id)
		}
	}
	if n := up.calls.Load(); n != 4 {
		t.Errorf("HubSpot was called %d times, want 4", n)
	}
	if b := up.body(2); b["firstName"] != "Augusta" || b["lastName"] != "Ada King" {
		t.Errorf("the renamed request sent %v", b)
	}
}

// TestMintCacheExpires: a token is reused for CacheTTL, then a new one is
// asked for, with a new expires_at.
func TestMintCacheExpires(t *testing.T) {
	up := newHubspotAPI(t)
	c := &clock{now: start}
	m, _ := testMinter(t, up.srv.URL, time.Second, &fakeCreds{values: original}, c)

	first := mintOK(t, m, ada)
	c.advance(CacheTTL - time.Second)
	if got := mintOK(t, m, ada); got != first {
		t.Errorf("within CacheTTL: %+v, want the first token %+v", got, first)
	}
	c.advance(time.Second)
	second := mintOK(t, m, ada)
	if second.Token == first.Token || second.ExpiresAt != start.Add(CacheTTL+TokenLifetime).Unix() {
		t.Errorf("after CacheTTL: %+v, want a new token expiring 12 hours from now", second)
	}
	if n := up.calls.Load(); n != 2 {
		t.Errorf("HubSpot was called %d times, want 2", n)
	}
	if left := time.Unix(first.ExpiresAt, 0).Sub(start.Add(CacheTTL)); left < 11*time.Hour {
		t.Errorf("a reused token has %v left at most, want at least 11 hours", left)
	}
}

// TestMintCacheIsBounded: an instance keeps at most CacheSize tokens, the
// oldest leaving first, and none too large.
func TestMintCacheIsBounded(t *testing.T) {
	up := newHubspotAPI(t)
	c := &clock{now: start}
	m, _ := testMinter(t, up.srv.URL, time.Second, &fakeCreds{values: original}, c)
	user := func(i int) identity.Identity {
		return identity.Identity{UserID: fmt.Sprint(i), Email: fmt.Sprintf("user%d@example.com", i)}
	}
	for i := range CacheSize + 10 {
		mintOK(t, m, user(i))
		c.advance(time.Millisecond)
	}
	if n := m.cache.len(); n != CacheSize {
		t.Fatalf("the cache holds %d tokens, want CacheSize (%d)", n, CacheSize)
	}
	calls := up.calls.Load()
	mintOK(t, m, user(CacheSize+9)) // among the newest: kept
	if up.calls.Load() != calls {
		t.Error("a recent token was not kept")
	}
	mintOK(t, m, user(0)) // the oldest: gone
	if up.calls.Load() != calls+1 {
		t.Error("the oldest token was kept beyond CacheSize")
	}

	long := identity.Identity{UserID: "long", Email: "a@example.com", Name: "A " + strings.Repeat("B", maxCachedBytes)}
	mintOK(t, m, long)
	mintOK(t, m, long)
	if up.calls.Load() != calls+3 {
		t.Error("an entry over maxCachedBytes was kept")
	}
}

func TestCache(t *testing.T) {
	key := func(i int) request { return request{Email: fmt.Sprintf("u%d@example.com", i)} }
	t.Run("oldest leaves first", func(t *testing.T) {
		c := newCache(3, time.Hour)
		for i := range 5 {
			c.put(key(i), fmt.Sprint("t", i), start.Add(time.Duration(i)*time.Minute))
		}
		now := start.Add(5 * time.Minute)
		for i, want := range []bool{false, false, true, true, true} {
			if _, _, ok := c.get(key(i), now); ok != want {
				t.Errorf("key %d kept: %v, want %v", i, ok, want)
			}
		}
	})
	t.Run("stale entries leave at the next put", func(t *testing.T) {
		c := newCache(3, time.Hour)
		c.put(key(0), "t0", start)
		c.put(key(1), "t1", start.Add(30*time.Minute))
		c.put(key(2), "t2", start.Add(61*time.Minute)) // key 0 is stale by now
		if n := c.len(); n != 2 {
			t.Errorf("len = %d, want 2: the stale entry is not kept", n)
		}
		if _, _, ok := c.get(key(1), start.Add(62*time.Minute)); !ok {
			t.Error("a fresh entry was dropped")
		}
	})
	t.Run("a stale entry is never given", func(t *testing.T) {
		c := newCache(3, time.Hour)
		c.put(key(0), "t0", start)
		for _, now := range []time.Time{start.Add(time.Hour), start.Add(-time.Second)} {
			if tok, _, ok := c.get(key(0), now); ok {
				t.Errorf("at %v: got %q", now, tok)
			}
		}
		if n := c.len(); n != 0 {
			t.Errorf("len = %d after a stale get, want 0", n)
		}
	})
	t.Run("replacing a key", func(t *testing.T) {
		c := newCache(3, time.Hour)
		c.put(key(0), "old", start)
		c.put(key(0), "new", start.Add(time.Minute))
		if tok, issued, ok := c.get(key(0), start.Add(2*time.Minute)); !ok || tok != "new" || !issued.Equal(start.Add(time.Minute)) || c.len() != 1 {
			t.Errorf("get = %q, %v, %v; len %d", tok, issued, ok, c.len())
		}
	})
	t.Run("concurrent use", func(t *testing.T) {
		c := newCache(16, time.Hour)
		var wg sync.WaitGroup
		for g := range 8 {
			wg.Go(func() {
				for i := range 200 {
					k := key(g*1000 + i%40)
					c.put(k, fmt.Sprint(k.Email), start)
					if tok, _, ok := c.get(k, start); ok && tok != k.Email {
						t.Errorf("key %s gave %q", k.Email, tok)
					}
				}
			})
		}
		wg.Wait()
		if n := c.len(); n > 16 {
			t.Errorf("len = %d, over the bound 16", n)
		}
	})
}

// TestTwoUsersNeverShareATokenConcurrently: many users minting at once
// each get only the token HubSpot issued for their own email.
func TestTwoUsersNeverShareATokenConcurrently(t *testing.T) {
	up := newHubspotAPI(t, reply{status: http.StatusOK})
	m, _ := testMinter(t, up.srv.URL, 2*time.Second, &fakeCreds{values: original}, &clock{now: start})
	var wg sync.WaitGroup
	for i := range 16 {
		id := identity.Identity{UserID: fmt.Sprint(i), Email: fmt.Sprintf("user%d@example.com", i%4)}
		wg.Go(func() {
			got, err := m.Mint(t.Context(), id)
			if err != nil {
				t.Errorf("Mint: %v", err)
				return
			}
			if tok := got.(Response).Token; !strings.HasSuffix(tok, "-"+id.Email) {
				t.Errorf("%s was given %q", id.Email, tok)
			}
		})
	}
	wg.Wait()
}
