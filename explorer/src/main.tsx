// The explorer's entry: styles and the app, mounted into index.html's #app.
import { render } from 'preact';
import { App } from './App.js';
import './styles.css';

render(<App />, document.getElementById('app') as HTMLElement);
