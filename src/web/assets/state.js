// What the page knows about the visitor: the answer of GET <base>/session.
export const state = {
  /** { tenant, signedIn, who, admin, canManage, policy, allowNoExpiry, shareUrl, signIn, signOut } */
  status: null,
};

/** Whether the signed-in visitor may create, rotate, share, revoke and comment (token sign-ins may not). */
export function canManage() {
  return state.status?.canManage === true;
}

export function isAdmin() {
  return state.status?.admin === true;
}

/** The user the visitor acts as, or null (the system, or a token without owner). */
export function ownUser() {
  const who = state.status?.who;
  if (who?.kind === 'user') return who.user;
  if (who?.kind === 'token') return who.owner;
  return null;
}
