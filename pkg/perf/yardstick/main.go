// Command yardstick is the measuring stick of the cold-start and size
// budgets (see package perf): the least a Go Lambda function that answers
// with a secret-keyed HMAC must do, written the plain way. At init it loads
// the AWS configuration with config.LoadDefaultConfig and reads one secret,
// named by YARDSTICK_SECRET_ID, with one GetSecretValue; each invocation is
// answered with the hex HMAC-SHA256 of the request id under that secret.
//
// It is built with the same flags as the functions' bootstraps and is never
// deployed.
package main

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"log"
	"os"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
)

func main() {
	ctx := context.Background()
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		log.Fatalf("yardstick: AWS configuration: %v", err)
	}
	out, err := secretsmanager.NewFromConfig(cfg).GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{
		SecretId: aws.String(os.Getenv("YARDSTICK_SECRET_ID")),
	})
	if err != nil {
		log.Fatalf("yardstick: reading the secret: %v", err)
	}
	key := []byte(aws.ToString(out.SecretString))
	lambda.Start(func(_ context.Context, req events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
		mac := hmac.New(sha256.New, key)
		mac.Write([]byte(req.RequestContext.RequestID))
		return events.APIGatewayV2HTTPResponse{StatusCode: 200, Body: hex.EncodeToString(mac.Sum(nil))}, nil
	})
}
