/** The console's form shows the rows a map will have, named as the server names them. */

/** The letters of the row at `index` (0-based), as on a spreadsheet: A … Z, AA, AB, … */
export function rowName(index: number): string {
  let name = '';
  for (let n = index + 1; n > 0; n = Math.floor((n - 1) / 26)) name = String.fromCharCode(65 + ((n - 1) % 26)) + name;
  return name;
}
