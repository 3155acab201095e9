package stream_test

import (
	"fmt"
	"time"

	"github.com/vendortokens/vendor-token-functions/pkg/identity"
	"github.com/vendortokens/vendor-token-functions/pkg/stream"
)

func ExampleSign() {
	key := []byte("dev-only-stream-api-secret-not-for-production") // a development key, never a real one
	user := identity.Identity{UserID: "user-123"}
	token, exp, err := stream.Sign(key, user, time.Unix(1700000000, 0), time.Hour)
	if err != nil {
		panic(err)
	}
	fmt.Println(exp.Unix())
	fmt.Println(token)
	// Output:
	// 1700003595
	// eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ1c2VyX2lkIjoidXNlci0xMjMiLCJleHAiOjE3MDAwMDM1OTUsImlhdCI6MTY5OTk5OTk5NX0.uFo8w4zOTRla6UqWILneyxA3NvY0zA3EdVdWMnZQW5c
}
