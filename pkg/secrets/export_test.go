package secrets

// Settle waits until s has no read under way, so that a test can look at
// the result of the read a request started.
func Settle(s *Secret) {
	s.mu.Lock()
	r := s.inflight
	s.mu.Unlock()
	if r != nil {
		<-r.done
	}
}
