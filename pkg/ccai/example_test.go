package ccai_test

import (
	"context"
	"fmt"
	"time"

	"github.com/vendortokens/vendor-token-functions/pkg/ccai"
	"github.com/vendortokens/vendor-token-functions/pkg/identity"
)

func ExampleMinter_Mint() {
	m := &ccai.Minter{
		Key: func(context.Context) ([]byte, error) {
			return []byte("dev-only-ccai-company-secret"), nil // a development key, never a real one
		},
		Company: "ACME",
		TTL:     time.Hour,
		Now:     func() time.Time { return time.Unix(1700000000, 0) },
	}
	resp, err := m.Mint(context.Background(), identity.Identity{UserID: "user-123", Name: "Ana", Email: "ana@example.com"})
	if err != nil {
		panic(err)
	}
	fmt.Println(resp.(ccai.Response).Token)
	// Output:
	// eyJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJBQ01FIiwiZXhwIjoxNzAwMDAzNjAwLCJpYXQiOjE3MDAwMDAwMDAsImlkZW50aWZpZXIiOiJ1c2VyLTEyMyIsIm5hbWUiOiJBbmEiLCJlbWFpbCI6ImFuYUBleGFtcGxlLmNvbSJ9.F7lpYIEEV29HV1G9DrEqvZvhZNgK4nnAh6Vnync8-Cs
}
