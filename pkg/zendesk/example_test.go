package zendesk_test

import (
	"fmt"
	"time"

	"github.com/vendortokens/vendor-token-functions/pkg/identity"
	"github.com/vendortokens/vendor-token-functions/pkg/zendesk"
)

func ExampleSign() {
	key := zendesk.Key{ID: "app_dev_only", Secret: []byte("dev-only-zendesk-signing-secret")} // a development key, never a real one
	user := identity.Identity{UserID: "user-123", Name: "Ana", Email: "ana@example.com"}
	token, exp, err := zendesk.Sign(key, user, time.Unix(1700000000, 0), 10*time.Minute)
	if err != nil {
		panic(err)
	}
	fmt.Println(exp.Unix())
	fmt.Println(token)
	// Output:
	// 1700000600
	// eyJhbGciOiJIUzI1NiIsImtpZCI6ImFwcF9kZXZfb25seSIsInR5cCI6IkpXVCJ9.eyJzY29wZSI6InVzZXIiLCJleHRlcm5hbF9pZCI6InVzZXItMTIzIiwibmFtZSI6IkFuYSIsImVtYWlsIjoiYW5hQGV4YW1wbGUuY29tIiwiZW1haWxfdmVyaWZpZWQiOnRydWUsImV4cCI6MTcwMDAwMDYwMH0.a3qTOtUvTqELvttfsZ9IXZdijh45_fW_HbqIyKpO1sM
}
