package kustomer_test

import (
	"fmt"
	"time"

	"github.com/vendortokens/vendor-token-functions/pkg/identity"
	"github.com/vendortokens/vendor-token-functions/pkg/kustomer"
)

func ExampleSign() {
	key := []byte("dev-only-kustomer-chat-secret") // a development key, never a real one
	user := identity.Identity{UserID: "user-123", Email: "ana@example.com"}
	token, err := kustomer.Sign(key, kustomer.ByExternalID, user, time.Unix(1700000000, 0))
	if err != nil {
		panic(err)
	}
	fmt.Println(token)
	// Output:
	// eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJleHRlcm5hbElkIjoidXNlci0xMjMiLCJpYXQiOjE3MDAwMDAwMDB9.89-p6LiG3LHKrW_uCT_wSLuHF2rY-WTLamlvlCbJvoc
}
