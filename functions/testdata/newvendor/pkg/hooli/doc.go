// Package hooli is the smallest vendor there is: an HS256 JWT with the
// session's user id (sub) and an expiry, signed with one secret key. It
// lives in functions/testdata, where TestVendorRecipe adds it to a copy of
// the repository to show that a vendor costs only its own package, its
// main and one line in pkg/vendors.
package hooli
