from services.common.server import main
from services.ledger.server import build

main(build)
