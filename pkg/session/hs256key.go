package session

import "fmt"

// CheckHS256Key reports whether key may sign sessions in hs256 mode: it
// must be at least MinHS256KeyLen bytes. The error never quotes the key;
// it is for checking a key read again from its secret before it is used.
func CheckHS256Key(key []byte) error {
	if len(key) < MinHS256KeyLen {
		return fmt.Errorf("session: the HS256 key is shorter than %d bytes", MinHS256KeyLen)
	}
	return nil
}
