from kvalitet.cli import app

app(prog_name="kvalitet")
