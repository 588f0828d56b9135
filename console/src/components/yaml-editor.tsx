// CodeMirror 6 with YAML highlighting; part of the lazily loaded YAML tab, so the list pages paint without it.
// Ctrl/Cmd-S saves and Escape cancels; the editor's own Escape uses (closing search or completion) come first
// because this keymap is added after basicSetup. Tab is left to move focus, not to indent (keyboard users must be
// able to leave the editor; CodeMirror's accessibility guide).
import { yaml } from '@codemirror/lang-yaml';
import { EditorState } from '@codemirror/state';
import { keymap } from '@codemirror/view';
import { basicSetup, EditorView } from 'codemirror';
import { useEffect, useRef } from 'react';

export interface YamlEditorProps {
  /** The text to show; replacing it (a reload, a cancel) resets the editor to it. */
  readonly doc: string;
  readonly onChange: (text: string) => void;
  readonly onSave: () => void;
  readonly onCancel: () => void;
  readonly label: string;
}

export function YamlEditor(props: YamlEditorProps) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | undefined>(undefined);
  // The view is created once; callbacks are read through this ref so it always calls the latest ones.
  const callbacks = useRef(props);
  callbacks.current = props;

  useEffect(() => {
    const editor = new EditorView({
      parent: host.current!,
      state: EditorState.create({
        doc: callbacks.current.doc,
        extensions: [
          basicSetup,
          yaml(),
          keymap.of([
            { key: 'Mod-s', preventDefault: true, run: () => { callbacks.current.onSave(); return true; } },
            { key: 'Escape', run: () => { callbacks.current.onCancel(); return true; } },
          ]),
          EditorView.updateListener.of((u) => { if (u.docChanged) callbacks.current.onChange(u.state.doc.toString()); }),
          EditorView.contentAttributes.of({ 'aria-label': callbacks.current.label, 'data-testid': 'yaml-editor' }),
        ],
      }),
    });
    view.current = editor;
    return () => editor.destroy();
  }, []);

  useEffect(() => {
    const editor = view.current;
    if (!editor || editor.state.doc.toString() === props.doc) return;
    editor.dispatch({ changes: { from: 0, to: editor.state.doc.length, insert: props.doc } });
  }, [props.doc]);

  return <div className="yaml-editor" ref={host} />;
}
