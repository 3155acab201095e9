package identity

// Identity is the caller as the verified session names them. UserID is
// never blank: the session verifier refuses a session without one.
type Identity struct {
	UserID string
	Email  string // empty unless the session says the address is verified (or the function is told to trust unverified addresses)
	Name   string // empty when the session carries no name
}
