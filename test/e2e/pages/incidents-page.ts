import { expect, type Locator, type Page } from '@playwright/test';

/** The Incidents view and an incident's page, as an engineer uses them. */
export class IncidentsPage {
  constructor(readonly page: Page) {}

  async open(): Promise<void> {
    await this.page.locator('nav [data-view="incidents"]').click();
  }

  table(): Locator {
    return this.page.getByTestId('incidents-table');
  }

  async create(fields: { title: string; severity?: string; description?: string }): Promise<void> {
    await this.page.getByTestId('new-incident').click();
    const form = this.page.getByTestId('new-incident-form');
    await form.locator('#inc-title').fill(fields.title);
    if (fields.severity) await form.locator('#inc-severity').selectOption(fields.severity);
    if (fields.description) await form.locator('#inc-description').fill(fields.description);
    await this.page.getByTestId('create-incident').click();
    await expect(this.heading()).toHaveText(fields.title);
  }

  heading(): Locator {
    return this.page.locator('#incident-title');
  }

  async openIncident(title: string): Promise<void> {
    await this.table().getByRole('button', { name: title }).click();
    await expect(this.heading()).toHaveText(title);
  }

  async addNote(markdown: string): Promise<void> {
    await this.page.getByTestId('note-input').fill(markdown);
    await this.page.getByTestId('add-note').click();
    await expect(this.page.getByTestId('note-input')).toHaveValue('');
  }

  list(): Locator {
    return this.page.getByTestId('timeline-list');
  }

  entries(kind?: string): Locator {
    return this.list().locator(kind ? `article.inc-entry[data-kind="${kind}"]` : 'article.inc-entry');
  }

  axis(): Locator {
    return this.page.getByTestId('timeline-axis');
  }

  axisMarks(kind: string): Locator {
    return this.axis().locator(`rect.inc-mark[data-kind="${kind}"]`);
  }

  statusBadge(): Locator {
    return this.page.locator('.inc-page .view-header .inc-status');
  }
}
