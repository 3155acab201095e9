package decagon_test

import (
	"fmt"

	"github.com/vendortokens/vendor-token-functions/pkg/decagon"
)

func ExampleSign() {
	key := []byte("dev-decagon-private-key") // a development key, never a real one
	fmt.Println(decagon.Sign(key, "user-123", 1700086400))
	// Output: c53f8d9159357740225fdc986825ad17d85b1cabe1d7ed9e6f63bc74cc14868e
}
