"""`bawaba catalogue load|export|synth`: publish definition files, print the catalogue, make a large one."""

import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from bawaba.catalogue import selectors
from bawaba.catalogue.definitions_loader import TAXONOMY_FILE, read_catalogue
from bawaba.catalogue.export import service_export
from bawaba.catalogue.services import catalogue_publish
from bawaba.catalogue.synth import synthesise


class Command(BaseCommand):
    help = "Manage the service catalogue."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        load = sub.add_parser("load", help="Validate definition files and publish the valid ones.")
        load.add_argument(
            "--dir", type=Path, default=None, help="Definitions folder (default: the shipped catalogue)."
        )
        load.add_argument("--check", action="store_true", help="Validate only; publish nothing.")
        load.add_argument("--actor", default="command:catalogue-load")
        export = sub.add_parser("export", help="Print the published catalogue.")
        export.add_argument("--format", choices=["json"], default="json")
        synth = sub.add_parser("synth", help="Write a large synthetic catalogue for scale tests.")
        synth.add_argument("--services", type=int, default=1200)
        synth.add_argument("--agencies", type=int, default=86)
        synth.add_argument(
            "--out", type=Path, default=None, help="Folder to write (default: var/synth-catalogue)."
        )
        synth.add_argument("--seed", type=int, default=2026)
        synth.add_argument("--load", action="store_true", help="Publish it after writing.")

    def handle(self, *args, action, **options):
        getattr(self, f"handle_{action}")(**options)

    def handle_load(self, *, dir, check, actor, **_):
        directory = dir or Path(settings.BAWABA_CATALOGUE_DIR)
        if not directory.is_dir():
            raise CommandError(f"{directory} is not a folder")
        catalogue = read_catalogue(directory)
        for error in catalogue.errors:
            self.stderr.write(str(error))
        for path in catalogue.rejected:
            self.stderr.write(f"{path.name}: rejected, nothing loaded from it")
        services = sum(len(f.services) for f in catalogue.files)
        if check:
            self.stdout.write(f"{len(catalogue.files)} files, {services} services valid")
        else:
            report = catalogue_publish(catalogue=catalogue, actor=actor)
            self.stdout.write(
                f"{len(catalogue.files)} files, {services} services: {len(report.created)} new, "
                f"{len(report.updated)} new versions, {len(report.unchanged)} unchanged, {len(report.withdrawn)} withdrawn"
            )
        if catalogue.errors:
            raise CommandError(f"{len(catalogue.rejected)} file(s) rejected")

    def handle_export(self, *, format, **_):
        rows = [service_export(service) for service in selectors.service_list().order_by("code")]
        self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2))

    def handle_synth(self, *, services, agencies, out, seed, load, **_):
        out = out or Path(settings.VAR_DIR) / "synth-catalogue"
        try:
            written = synthesise(
                services=services,
                agencies=agencies,
                out=out,
                seed=seed,
                taxonomy=Path(settings.BAWABA_CATALOGUE_DIR) / TAXONOMY_FILE,
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"wrote {services} services from {len(written)} agencies to {out}")
        if load:
            self.handle_load(dir=out, check=False, actor="command:catalogue-synth")
