// Entry: take a token handed over in the URL fragment before anything renders, then mount the app.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app.tsx';
import { adoptTokenFromLocation, sessionTokenStore } from './auth.ts';
import './styles.css';

const tokens = sessionTokenStore(window.sessionStorage);
adoptTokenFromLocation(window.location, window.history, tokens);
createRoot(document.getElementById('root')!).render(<StrictMode><App tokens={tokens} /></StrictMode>);
