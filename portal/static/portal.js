/* The demo page's identity switcher (development mode only): the portal server mints a
 * signed token for the chosen demo person and hands it to the chat widget. A token lives
 * 15 minutes: the page asks for a fresh one a minute before it expires. */
(function () {
  "use strict";
  const KEY = "ent-identity:v1";
  const select = document.getElementById("identity");
  const stateLine = document.getElementById("identity-state");
  if (!select || !window.EntChat) return; // production page: the ENT would provide the token

  function stored() {
    try { return JSON.parse(sessionStorage.getItem(KEY)) || {}; } catch (e) { return {}; }
  }
  const REFRESH_BEFORE = 60 * 1000;
  let refreshTimer = null;
  function expiry(token) {
    try {
      const claims = JSON.parse(atob(token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/")));
      return claims.exp * 1000;
    } catch (e) { return 0; }
  }
  function expiresSoon(token) { return expiry(token) < Date.now() + 2 * REFRESH_BEFORE; }
  function scheduleRefresh(identity) {
    clearTimeout(refreshTimer);
    refreshTimer = null;
    if (!identity.login || !identity.token) return;
    const wait = Math.max(5000, expiry(identity.token) - Date.now() - REFRESH_BEFORE);
    refreshTimer = setTimeout(() => signIn(identity.login, true), wait);
  }
  function show(identity) {
    stateLine.textContent = identity.login ? "Connecté : " + identity.label : "Non connecté : l'assistant répond au guide, sans informations sur votre école.";
  }
  function use(identity) {
    sessionStorage.setItem(KEY, JSON.stringify(identity));
    select.value = identity.login || "";
    show(identity);
    window.EntChat.setIdentity(identity.login || "", identity.token || null);
    scheduleRefresh(identity);
  }
  async function signIn(login, refreshing) {
    if (!login) {
      // Forget the /staff identity cookie too (development); anonymous either way.
      try {
        await fetch("/api/dev/signout", { method: "POST", headers: { "Content-Type": "application/json" }, body: "{}" });
      } catch (e) { /* unreachable: the cookie expires with the token anyway (15 min) */ }
      return use({});
    }
    if (!refreshing) stateLine.textContent = "Connexion…";
    try {
      const response = await fetch("/api/dev/token", {
        method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ login }),
      });
      if (!response.ok) throw new Error("HTTP " + response.status);
      use(await response.json());
    } catch (e) {
      if (refreshing) { refreshTimer = setTimeout(() => signIn(login, true), 30 * 1000); return; } // keep trying
      use({});
      stateLine.textContent = "La connexion de démonstration a échoué (serveur ou base indisponible) : vous êtes anonyme.";
    }
  }

  const identity = stored();
  if (identity.login && identity.token && !expiresSoon(identity.token)) use(identity);
  else if (identity.login) { use({ login: identity.login, label: identity.label, token: null }); signIn(identity.login); }
  else use({});
  // An explicit button, not the select's change event: no change of context while browsing the list.
  document.getElementById("identity-form").addEventListener("submit", (event) => {
    event.preventDefault();
    signIn(select.value);
  });
})();
