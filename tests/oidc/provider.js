// A real OpenID Connect provider for the dashboard's browser test: panva/node-oidc-provider
// (OpenID Certified), on a loopback port, with one confidential client for the app under test.
//
//   node provider.js PORT CLIENT_ID CLIENT_SECRET REDIRECT_URI
//
// Its development sign-in page accepts any login name (no password is checked). The name says
// who signs in and in which groups: "ana+isms-analysts,staff" is sub "ana", e-mail
// ana@northwind.example (verified), groups ["isms-analysts", "staff"]. The groups go into the
// ID token (Streamlit's st.user reads the ID token, not the userinfo endpoint) when the client
// asks for the "groups" scope. Prints "listening ISSUER" once it accepts connections.

import Provider from 'oidc-provider';

const [port, clientId, clientSecret, redirectUri] = process.argv.slice(2);
if (!port || !clientId || !clientSecret || !redirectUri) {
  console.error('usage: node provider.js PORT CLIENT_ID CLIENT_SECRET REDIRECT_URI');
  process.exit(2);
}
const issuer = `http://127.0.0.1:${port}`;

function account(id) {
  const [name, groupList] = String(id).split('+');
  const groups = groupList ? groupList.split(',').filter(Boolean) : [];
  return {
    accountId: id,
    async claims() {
      return {
        sub: name,
        email: `${name}@northwind.example`,
        email_verified: true,
        name: name.charAt(0).toUpperCase() + name.slice(1),
        groups,
      };
    },
  };
}

const provider = new Provider(issuer, {
  clients: [{
    client_id: clientId,
    client_secret: clientSecret,
    redirect_uris: [redirectUri],
    post_logout_redirect_uris: [redirectUri], // Streamlit's st.logout comes back to its callback
    grant_types: ['authorization_code'],
    response_types: ['code'],
  }],
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name'],
    groups: ['groups'],
  },
  conformIdTokenClaims: false, // the scopes' claims go into the ID token itself
  findAccount: (ctx, id) => account(id),
  cookies: { keys: ['isms-test-oidc-provider-only-key'] },
  pkce: { required: () => true },
});

provider.listen(Number(port), '127.0.0.1', () => {
  console.log(`listening ${issuer}`);
});

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => process.exit(0));
}
