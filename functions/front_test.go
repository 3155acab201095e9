package functions_test

import (
	"errors"
	"maps"
	"strings"
	"testing"
)

// ProtectedFront puts CloudFront and an AWS WAF rate limit per client IP in
// front of TokenApi; every function then reads the origin token (and no
// other new secret), the URL outputs point at the distribution, and a
// deployment that could not work is refused by the Rules.
func TestProtectedFront(t *testing.T) {
	tpl := mustReadTemplate(t)
	const acl = "arn:aws:wafv2:us-east-1:123456789012:global/webacl/tokens/0123abcd-0123-4567-89ab-0123456789ab"
	for _, c := range []struct {
		name         string
		params       map[string]string
		front, owned bool // a distribution; a web ACL the stack makes
		refused      bool
	}{
		{"off", map[string]string{}, false, false, false},
		{"on in us-east-1", map[string]string{"ProtectedFront": "true", "AWS::Region": "us-east-1"}, true, true, false},
		{"on elsewhere with a web ACL", map[string]string{"ProtectedFront": "true", "AWS::Region": "eu-west-1", "FrontWebAclArn": acl}, true, false, false},
		{"on elsewhere without one", map[string]string{"ProtectedFront": "true", "AWS::Region": "eu-west-1"}, false, false, true},
		{"on with a custom domain", map[string]string{"ProtectedFront": "true", "AWS::Region": "us-east-1",
			"DomainName": "tokens.example.com", "CertificateArn": "arn:aws:acm:us-east-1:123456789012:certificate/0a1b"}, false, false, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			params := maps.Clone(requiredParams)
			maps.Copy(params, c.params)
			s, err := newStack(tpl, params)
			if c.refused {
				if !errors.Is(err, errRule) {
					t.Fatalf("error = %v, want a failed rule", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			d, err := s.deployed()
			if err != nil {
				t.Fatal(err)
			}
			for id, want := range map[string]bool{"FrontDistribution": c.front, "FrontOriginSecret": c.front, "FrontWebAcl": c.owned} {
				if got := field(d, "Resources", id) != nil; got != want {
					t.Errorf("%s created = %v, want %v", id, got, want)
				}
			}
			if !c.front {
				return
			}
			cfg := field(d, "Resources", "FrontDistribution", "Properties", "DistributionConfig")
			wantACL := acl
			if c.owned {
				wantACL = "getatt:FrontWebAcl.Arn"
				rule := field(d, "Resources", "FrontWebAcl", "Properties", "Rules").([]any)[0]
				if got := field(rule, "Statement", "RateBasedStatement", "AggregateKeyType"); got != "IP" {
					t.Errorf("rate-based rule aggregates by %v, want IP", got)
				}
				if got := field(d, "Resources", "FrontWebAcl", "Properties", "Scope"); got != "CLOUDFRONT" {
					t.Errorf("web ACL scope %v, want CLOUDFRONT", got)
				}
			}
			if got := field(cfg, "WebACLId"); got != wantACL {
				t.Errorf("WebACLId = %v, want %v", got, wantACL)
			}
			origin := field(cfg, "Origins").([]any)[0]
			header := field(origin, "OriginCustomHeaders").([]any)[0]
			if field(header, "HeaderName") != "x-origin-verify" ||
				!strings.Contains(field(header, "HeaderValue").(string), "resolve:secretsmanager:{FrontOriginSecret}:SecretString:origin_token") {
				t.Errorf("origin header = %v, want x-origin-verify from the origin secret", header)
			}
			if got := field(origin, "CustomOriginConfig", "OriginProtocolPolicy"); got != "https-only" {
				t.Errorf("OriginProtocolPolicy = %v, want https-only", got)
			}
			for _, f := range contractFunctions {
				props, err := s.resolve(mergeGlobals(field(tpl, "Globals", "Function"), field(tpl, "Resources", f.logicalID, "Properties")))
				if err != nil {
					t.Fatal(err)
				}
				if got := field(props, "Environment", "Variables", "FRONT_SECRET_ID"); got != "ref:FrontOriginSecret" {
					t.Errorf("%s FRONT_SECRET_ID = %v", f.logicalID, got)
				}
			}
			const base = "https://{FrontDistribution.DomainName}"
			for name, o := range field(d, "Outputs").(map[string]any) {
				if strings.HasSuffix(name, "Url") && name != "DashboardUrl" {
					if url, _ := field(o, "Value").(string); !strings.HasPrefix(url, base) {
						t.Errorf("%s = %v, want it on the distribution", name, url)
					}
				}
			}
		})
	}
}
