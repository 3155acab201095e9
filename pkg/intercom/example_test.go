package intercom_test

import (
	"fmt"
	"time"

	"github.com/vendortokens/vendor-token-functions/pkg/identity"
	"github.com/vendortokens/vendor-token-functions/pkg/intercom"
)

func ExampleSign() {
	key := []byte("dev-only-intercom-web-secret") // a development key, never a real one
	user := identity.Identity{UserID: "user-123", Email: "ana@example.com"}
	token, exp, err := intercom.Sign(key, user, time.Unix(1700000000, 0), time.Hour)
	if err != nil {
		panic(err)
	}
	fmt.Println(exp.Unix())
	fmt.Println(token)
	// Output:
	// 1700003600
	// eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ1c2VyX2lkIjoidXNlci0xMjMiLCJlbWFpbCI6ImFuYUBleGFtcGxlLmNvbSIsImV4cCI6MTcwMDAwMzYwMH0.U3SKC-hb1z5FRps4Kg1D3rbeIVSx5QEN0lMpk3qx-8g
}
