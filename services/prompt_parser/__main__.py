from services.common.server import main
from services.prompt_parser.server import build

main(build)
