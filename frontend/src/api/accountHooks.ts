// TanStack Query hooks for accounts: the API's mode, the session, the people, invitations and API tokens.
import { useMutation, useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query';
import { useSyncExternalStore } from 'react';
import {
  changePassword,
  createApiToken,
  createInvitation,
  deleteApiToken,
  getApiInfo,
  getMe,
  listApiTokens,
  listInvitations,
  listUsers,
  register,
  revokeInvitation,
  signIn,
  signOut,
  updateMe,
  updateUser,
} from './client';
import { refetchAfterWrite } from './queryClient';
import { queryKeys } from './queryKeys';
import { clearSession, currentSession, startSession, subscribeSession, type SessionState } from './session';
import type { ApiTokenCreate, InvitationCreate, PasswordChange, Registration, User, UserAdminUpdate, UserMeUpdate } from './types';

/** While the API cannot say which mode it is in, or who is signed in, it is asked again this often. */
const API_INFO_RETRY_MS = 5_000;

/** `GET /`, read once: the mode does not change while the server runs. */
export function useApiInfo() {
  return useQuery({
    queryKey: queryKeys.apiInfo,
    queryFn: ({ signal }) => getApiInfo(signal),
    staleTime: Infinity,
    retry: false,
    refetchInterval: (query) => (query.state.status === 'error' ? API_INFO_RETRY_MS : false),
  });
}

export function useSession(): SessionState {
  return useSyncExternalStore(subscribeSession, currentSession);
}

/** What one person's session saw goes with it; the API's mode stays. */
function forgetSessionData(client: QueryClient): void {
  client.removeQueries({ predicate: (query) => query.queryKey[0] !== queryKeys.apiInfo[0] });
}

/** The person signed in; asked again every few seconds while it fails (the server away), so the page comes back by itself. */
export function useMe(enabled: boolean) {
  return useQuery({
    queryKey: queryKeys.me,
    queryFn: ({ signal }) => getMe(signal),
    enabled,
    refetchInterval: (query) => (query.state.status === 'error' ? API_INFO_RETRY_MS : false),
  });
}

/** Everyone on the team; `enabled` false in single-user mode, where there is no one. */
export function useUsers(enabled = true) {
  return useQuery({ queryKey: queryKeys.users, queryFn: ({ signal }) => listUsers(signal), enabled });
}

export interface Credentials {
  email: string;
  password: string;
}

export function useSignIn() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ email, password }: Credentials) => signIn(email, password),
    onSuccess: ({ access_token, expires_in }) => {
      forgetSessionData(client);
      startSession(access_token, expires_in);
    },
  });
}

/** Registers (with an invitation when there is one), then signs in as the new person. */
export function useJoin() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (registration: Registration) => {
      await register(registration);
      return signIn(registration.email, registration.password);
    },
    onSuccess: ({ access_token, expires_in }) => {
      forgetSessionData(client);
      startSession(access_token, expires_in);
    },
  });
}

/** Ends the session on the server, then here; here even when the server cannot be told. */
export function useSignOut() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: () => signOut(),
    onSettled: () => {
      clearSession();
      forgetSessionData(client);
    },
  });
}

export function useUpdateMe() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (changes: UserMeUpdate) => updateMe(changes),
    onSuccess: (me) => {
      client.setQueryData(queryKeys.me, me);
    },
    onSettled: () => {
      void refetchAfterWrite(client, queryKeys.users);
    },
  });
}

/** The person's API tokens end with the old password: the list is asked for again. */
export function useChangePassword() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (change: PasswordChange) => changePassword(change),
    onSettled: () => {
      void refetchAfterWrite(client, queryKeys.apiTokens);
    },
  });
}

export interface UserChange {
  user: User;
  changes: UserAdminUpdate;
}

export function useUpdateUser() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ user, changes }: UserChange) => updateUser(user.id, changes),
    onSettled: () => {
      void refetchAfterWrite(client, queryKeys.users);
      void refetchAfterWrite(client, queryKeys.me);
    },
  });
}

export function useInvitations() {
  return useQuery({ queryKey: queryKeys.invitations, queryFn: ({ signal }) => listInvitations(signal) });
}

export function useCreateInvitation() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (invitation: InvitationCreate) => createInvitation(invitation),
    onSettled: () => {
      void refetchAfterWrite(client, queryKeys.invitations);
    },
  });
}

export function useRevokeInvitation() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => revokeInvitation(id),
    onSettled: () => {
      void refetchAfterWrite(client, queryKeys.invitations);
    },
  });
}

export function useApiTokens() {
  return useQuery({ queryKey: queryKeys.apiTokens, queryFn: ({ signal }) => listApiTokens(signal) });
}

export function useCreateApiToken() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (token: ApiTokenCreate) => createApiToken(token),
    onSettled: () => {
      void refetchAfterWrite(client, queryKeys.apiTokens);
    },
  });
}

export function useDeleteApiToken() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => deleteApiToken(id),
    onSettled: () => {
      void refetchAfterWrite(client, queryKeys.apiTokens);
    },
  });
}
