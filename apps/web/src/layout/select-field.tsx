import { useId } from 'react';
import type { ChangeEvent } from 'react';

/**
 * A labelled `<select>` of `options`. `empty` is the label of the choice that means none: shown
 * always for a filter ("all"), or only while nothing is chosen for a required choice ("choose").
 */
export function SelectField({
  label,
  value,
  options,
  onChange,
  empty,
}: {
  label: string;
  value: string | undefined;
  options: readonly string[];
  onChange: (value: string) => void;
  empty: { label: string; always: boolean };
}) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select id={id} value={value ?? ''} onChange={(event: ChangeEvent<HTMLSelectElement>) => onChange(event.target.value)}>
        {empty.always || value === undefined ? <option value="">{empty.label}</option> : null}
        {options.map((option) => (
          <option key={option} value={option}>
            {option}
          </option>
        ))}
      </select>
    </div>
  );
}
