// Short messages to the user (a move refused, a task deleted), shared through React context.
import { createContext, useContext } from 'react';

export interface NoticeAction {
  label: string;
  run: () => void;
}

export interface Notice {
  id: number;
  tone: 'info' | 'error';
  message: string;
  action?: NoticeAction;
}

export type Notify = (notice: Omit<Notice, 'id'>) => void;

export const NoticeContext = createContext<Notify>(() => undefined);

export function useNotify(): Notify {
  return useContext(NoticeContext);
}
