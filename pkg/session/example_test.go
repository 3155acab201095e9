package session_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/golang-jwt/jwt/v5"

	"github.com/vendortokens/vendor-token-functions/pkg/session"
)

func ExampleNewHS256() {
	key := []byte("an HS256 session key of 32 bytes")
	now := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)

	// At cold start: key would read the current key from Secrets Manager.
	verifier, err := session.NewHS256(
		func(context.Context) ([]byte, error) { return key, nil },
		session.Options{
			Issuer:   "https://auth.example.com",
			Audience: []string{"mobile-app"},
			Now:      func() time.Time { return now },
		})
	if err != nil {
		panic(err)
	}

	// The app's session token, as its auth server would sign it.
	token, _ := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{
		"iss":            "https://auth.example.com",
		"aud":            "mobile-app",
		"sub":            "user-42",
		"email":          "ada@example.com",
		"email_verified": true, // else the email identifies nobody
		"iat":            now.Unix(),
		"exp":            now.Add(time.Hour).Unix(),
	}).SignedString(key)

	// Per request.
	req := &events.APIGatewayV2HTTPRequest{Headers: map[string]string{"authorization": "Bearer " + token}}
	id, err := verifier.Verify(context.Background(), req)
	fmt.Printf("%+v %v\n", id, err)

	_, err = verifier.Verify(context.Background(), &events.APIGatewayV2HTTPRequest{})
	fmt.Println(errors.Is(err, session.ErrNoSession))
	// Output:
	// {UserID:user-42 Email:ada@example.com Name:} <nil>
	// true
}

func ExampleAuthorizer() {
	// Claims as an API Gateway JWT authorizer passes them on: as strings.
	req := &events.APIGatewayV2HTTPRequest{}
	req.RequestContext.Authorizer = &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{
		JWT: &events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{
			Claims: map[string]string{
				"sub": "user-42", "email": "ada@example.com", "email_verified": "true", "cognito:username": "ada",
			},
		},
	}

	verifier := &session.Authorizer{Claims: session.ClaimNames{Name: "cognito:username"}}
	id, err := verifier.Verify(context.Background(), req)
	fmt.Printf("%+v %v\n", id, err)

	_, err = verifier.Verify(context.Background(), &events.APIGatewayV2HTTPRequest{})
	fmt.Println(errors.Is(err, session.ErrNoSession))
	// Output:
	// {UserID:user-42 Email:ada@example.com Name:ada} <nil>
	// true
}
