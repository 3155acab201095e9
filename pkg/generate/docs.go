package generate

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/vendortokens/vendor-token-functions/pkg/config"
	"github.com/vendortokens/vendor-token-functions/pkg/descriptor"
	"github.com/vendortokens/vendor-token-functions/pkg/secrets"
)

// Markers around a generated table in a Markdown file.
func beginMarker(name string) string { return "<!-- BEGIN GENERATED: " + name + " (make generate) -->" }
func endMarker(name string) string   { return "<!-- END GENERATED: " + name + " -->" }

// fillTables replaces what lies between each table's markers in doc with
// the table.
func fillTables(file string, doc []byte, tables map[string]string) ([]byte, error) {
	out := string(doc)
	for name, table := range tables {
		begin, end := beginMarker(name), endMarker(name)
		if strings.Count(out, begin) != 1 || strings.Count(out, end) != 1 {
			return nil, fmt.Errorf("%s: %w: needs exactly one %q and one %q", file, ErrMarker, begin, end)
		}
		i := strings.Index(out, begin) + len(begin)
		j := strings.Index(out, end)
		if j < i {
			return nil, fmt.Errorf("%s: %w: %q comes before %q", file, ErrMarker, end, begin)
		}
		out = out[:i] + "\n" + table + out[j:]
	}
	return []byte(out), nil
}

// cell escapes text for a Markdown table cell.
func cell(s string) string { return strings.ReplaceAll(s, "|", `\|`) }

func code(s string) string { return "`" + cell(s) + "`" }

func endpointTable(vendors []descriptor.Vendor) string {
	var b bytes.Buffer
	b.WriteString("| vendor | route | 200 response |\n|---|---|---|\n")
	for _, v := range vendors {
		var routes []string
		for _, p := range paths(v) {
			routes = append(routes, code(p.Label()))
		}
		fmt.Fprintf(&b, "| [%s](pkg/%s/README.md) | %s | %s |\n", v.Title, v.Name, strings.Join(routes, ", "), code(v.Response))
	}
	return b.String()
}

// defaultCell is how a setting's default reads in a table.
func defaultCell(s config.Setting) string {
	switch {
	case s.Required:
		return "(required)"
	case s.Default == "":
		return "none"
	}
	return code(s.Default)
}

func accepts(s config.Setting) string {
	if s.Values != nil {
		var q []string
		for _, v := range s.Values {
			q = append(q, code(v))
		}
		return strings.Join(q, ", ")
	}
	return cell(s.Bounds())
}

// settingsTable lists every vendor's secret setting and settings; with
// vendorColumn, in a column naming the vendor.
func settingsTable(vendors []descriptor.Vendor, vendorColumn bool) string {
	var b bytes.Buffer
	if vendorColumn {
		b.WriteString("| setting | vendor | default | accepts | meaning |\n|---|---|---|---|---|\n")
	} else {
		b.WriteString("| setting | default | accepts | meaning |\n|---|---|---|---|\n")
	}
	for _, v := range vendors {
		row := func(name, def, acc, meaning string) {
			if vendorColumn {
				fmt.Fprintf(&b, "| %s | [%s](../pkg/%s/README.md) | %s | %s | %s |\n", code(name), v.Title, v.Name, def, acc, cell(meaning))
			} else {
				fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", code(name), def, acc, cell(meaning))
			}
		}
		row(v.Secret.Setting, "(required)", "a secret's id or ARN", "the secret holding "+code(secretKeys(v.Secret)))
		for _, s := range v.Settings {
			row(s.Name, defaultCell(s), accepts(s), s.Description)
		}
	}
	return b.String()
}

func secretsTable(vendors []descriptor.Vendor) string {
	var b bytes.Buffer
	b.WriteString("| secret (setting) | JSON | least length | the values |\n|---|---|---|---|\n")
	for _, v := range vendors {
		fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", code(v.Secret.Setting), code(secretKeys(v.Secret)), leastLengths(v.Secret), cell(v.Secret.Description))
	}
	return b.String()
}

// leastLengths says how long each key's value must be: "`secret` 16
// bytes; `key_id` any".
func leastLengths(s secrets.Spec) string {
	var out []string
	for _, k := range allKeys(s) {
		if n := s.MinLen[k]; n > 1 {
			out = append(out, fmt.Sprintf("%s %d bytes", code(k), n))
		} else {
			out = append(out, code(k)+" any")
		}
	}
	return strings.Join(out, "; ")
}

func parametersTable(vendors []descriptor.Vendor) string {
	var b bytes.Buffer
	b.WriteString("| parameter | default | sets |\n|---|---|---|\n")
	for _, v := range vendors {
		fmt.Fprintf(&b, "| %s | empty | %s: an existing secret's full ARN, or empty to create `<stack>/%s` |\n",
			code("Existing"+v.Prefix()+"SecretArn"), code(v.Secret.Setting), v.Name)
		for _, s := range v.Settings {
			def := defaultCell(s)
			if s.Required {
				def = "(required with " + code(v.Name) + ")"
			}
			fmt.Fprintf(&b, "| %s | %s | %s |\n", code(s.Parameter()), def, code(s.Name))
		}
	}
	return b.String()
}

// vendorReference is the reference part of a vendor's README: its
// routes, secret, settings, template parameters and cited documents.
func vendorReference(v descriptor.Vendor) string {
	var b bytes.Buffer
	fmt.Fprintf(&b, "| | |\n|---|---|\n")
	fmt.Fprintf(&b, "| routes | %s |\n", code(routeList(v)))
	fmt.Fprintf(&b, "| 200 response | %s |\n", code(v.Response))
	fmt.Fprintf(&b, "| function | %s (deployed when `%s` is in the `Vendors` parameter) |\n", code(v.LogicalID), v.Name)
	fmt.Fprintf(&b, "| secret | %s: %s, %s |\n", code(v.Secret.Setting), code(secretKeys(v.Secret)), cell(v.Secret.Description))
	fmt.Fprintf(&b, "\nSettings (a deployment sets %s to the secret the stack makes, or to `Existing%sSecretArn`", code(v.Secret.Setting), v.Prefix())
	if len(v.Settings) > 0 {
		fmt.Fprintf(&b, "; each other through the template parameter of the same name in upper camel case, %s through %s", code(v.Settings[0].Name), code(v.Settings[0].Parameter()))
	}
	b.WriteString("):\n\n")
	b.WriteString(settingsTable([]descriptor.Vendor{v}, false))
	b.WriteString("\nVendor documents followed:\n\n")
	for _, d := range v.Docs {
		fmt.Fprintf(&b, "- %s\n", d)
	}
	return b.String()
}

// deployExample is the README's example deployment, of the first two
// vendors (or the one there is).
func deployExample(vendors []descriptor.Vendor) string {
	if len(vendors) > 2 {
		vendors = vendors[:2]
	}
	var names, titles, required, urls []string
	for _, v := range vendors {
		names = append(names, v.Name)
		titles = append(titles, v.Title)
		for _, s := range v.Settings {
			if s.Required {
				required = append(required, fmt.Sprintf("`%s=\"%s\"`", s.Parameter(), s.Example))
			}
		}
		for _, p := range paths(v) {
			urls = append(urls, code(v.Prefix()+p.Camel()+"Url"))
		}
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "You need the [AWS SAM CLI](https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/install-sam-cli.html),\n")
	fmt.Fprintf(&b, "Go and AWS credentials. For example, %s with your Cognito user pool, in\n`eu-west-1`:\n\n", strings.Join(titles, " and "))
	b.WriteString("1. Choose the stack name and region: in `samconfig.toml`, set `stack_name`\n" +
		"   (say `tokens-dev`) under `[default.global.parameters]` and\n" +
		"   `region = \"eu-west-1\"` under `[default.deploy.parameters]`.\n")
	fmt.Fprintf(&b, "2. In its `parameter_overrides`, set `Vendors=\"%s\"`, your issuer and app\n", strings.Join(names, ","))
	b.WriteString("   client (`SessionIssuer`, `SessionAudience`)")
	if len(required) > 0 {
		fmt.Fprintf(&b, ", and the vendors' required\n   settings: %s", strings.Join(required, ", "))
	}
	b.WriteString(". A vendor left out\n   of `Vendors` needs none of its settings.\n")
	b.WriteString("3. Build and deploy: `make deploy` (`sam build`, then `sam deploy`, which\n" +
		"   shows the change set and asks before applying it).\n")
	b.WriteString("4. Put each vendor's secret into the secret the stack made for it, without\n" +
		"   it touching your shell history (`read -rs`) or a command line:\n\n   ```sh\n" +
		"   STACK=tokens-dev REGION=eu-west-1\n" +
		"   arn() { aws cloudformation describe-stacks --region \"$REGION\" --stack-name \"$STACK\" \\\n" +
		"     --query \"Stacks[0].Outputs[?OutputKey=='$1'].OutputValue\" --output text; }\n" +
		"   put() { aws secretsmanager put-secret-value --region \"$REGION\" \\\n" +
		"     --secret-id \"$(arn \"$1\")\" --secret-string file:///dev/stdin; }\n")
	for _, v := range vendors {
		keys := v.Secret.Keys
		if len(keys) == 0 && len(v.Secret.Optional) > 0 {
			keys = v.Secret.Optional[:1]
		}
		var args, fields []string
		for _, k := range keys {
			fmt.Fprintf(&b, "   read -rs %s   # paste %s's %s\n", strings.ToUpper(k), v.Title, k)
			args = append(args, fmt.Sprintf("--arg %s \"$%s\"", k, strings.ToUpper(k)))
			fields = append(fields, k+": $"+k)
		}
		fmt.Fprintf(&b, "   jq -n %s '{%s}' | put %sSecretArn\n", strings.Join(args, " "), strings.Join(fields, ", "), v.Prefix())
	}
	b.WriteString("   ```\n\n")
	fmt.Fprintf(&b, "5. Call the URLs in the stack's outputs (%s) with a user's session.\n", strings.Join(urls, ", "))
	return b.String()
}
